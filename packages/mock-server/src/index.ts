export const PACKAGE_NAME = '@strands-vllm/mock-server'
