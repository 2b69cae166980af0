export const PACKAGE_NAME = '@strands-vllm/drift'
