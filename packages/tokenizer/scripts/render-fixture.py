"""Render the Qwen3 chat template with Python jinja2 configured exactly like `transformers`
(ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, tojson = json.dumps
with ensure_ascii=False). The output is the oracle the JS renderer must match byte for byte.

Usage: python3 scripts/render-fixture.py data/qwen3-tokenizer_config.json src/__fixtures__/conversation.json OUT [enable_thinking]
"""
import json
import sys

from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def raise_exception(message):
    raise Exception(message)


config = json.load(open(sys.argv[1], encoding="utf-8"))
conv = json.load(open(sys.argv[2], encoding="utf-8"))
env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
kwargs = {}
if len(sys.argv) > 4:
    kwargs["enable_thinking"] = sys.argv[4] == "true"
text = env.from_string(config["chat_template"]).render(
    messages=conv["messages"], tools=conv["tools"], add_generation_prompt=True, **kwargs
)
open(sys.argv[3], "w", encoding="utf-8", newline="").write(text)
