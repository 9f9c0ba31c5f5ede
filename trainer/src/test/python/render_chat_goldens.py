#!/usr/bin/env python3
"""Reference renders of chat templates by Jinja2 itself, for ChatTemplateGoldenTest.

Renders in the environment HuggingFace transformers documents for `apply_chat_template`: an
ImmutableSandboxedEnvironment with trim_blocks and lstrip_blocks, the loop-controls extension,
`raise_exception(msg)` raising a TemplateError, `strftime_now(fmt)` formatting the current time,
and a `tojson` filter that is json.dumps with ensure_ascii=False (not Jinja2's HTML-safe one).
The special tokens of tokenizer_config.json are passed as plain strings.

The clock is fixed (FIXED_NOW) so that templates which print today's date give stable goldens;
the Java test fixes its clock to the same instant.

Writes, under trainer/src/test/resources/chat-templates/:
  <family>/goldens.json  every real template x the conversation set
  features.json          one small template per Jinja2 feature the real templates use
  fuzz.json              seeded random templates stressing whitespace control and scoping

Run from the repository root with any python3 that has jinja2 (Debian: python3-jinja2):
  python3 trainer/src/test/python/render_chat_goldens.py
"""
import copy
import datetime
import json
import os
import random
import sys

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIXED_NOW = datetime.datetime(2026, 3, 14, 15, 9, 26)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "chat-templates")


def environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return FIXED_NOW.strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(env, source, context):
    try:
        return {"output": env.from_string(source).render(**context)}
    except Exception as e:  # TemplateError, or a Python TypeError the template provoked
        # Only raise_exception's message is compared; Jinja2's own wording is kept for reference.
        return {"error": str(e), "error_type": type(e).__name__}


def special(value):
    """AddedToken dicts in tokenizer_config.json stand for their content, as transformers passes them."""
    if isinstance(value, dict):
        return value.get("content", "")
    return value


SYSTEM = {"role": "system", "content": "You are a careful assistant."}
USER = {"role": "user", "content": "What is 2 + 3?"}
ANSWER = {"role": "assistant", "content": "2 + 3 = 5."}
USER2 = {"role": "user", "content": "And times 4?"}
# Unicode outside the BMP, a combining accent, CJK, braces and Jinja syntax that must stay text.
ODD = {"role": "user", "content": "  Caf\u00e9 \u6f22\u5b57 \U0001F600 e\u0301 {{ 1 + 2 }} {% if x %}{# c #} }}\n\tend  "}
THINKING = {"role": "assistant", "content": "<think>\nAdd them.\n</think>\n\n2 + 3 = 5."}

CONVERSATIONS = {
    "system_user": [SYSTEM, USER],
    "user_only": [USER],
    "multi_turn": [SYSTEM, USER, ANSWER, USER2],
    "multi_turn_no_system": [USER, ANSWER, USER2],
    "ends_with_assistant": [SYSTEM, USER, ANSWER],
    "unicode_and_braces": [SYSTEM, ODD],
    "thinking_history": [USER, THINKING, USER2],
    "two_users_in_a_row": [USER, USER2],
}


def golden_cases(family):
    cases = []
    for name, messages in CONVERSATIONS.items():
        for gen in (True, False):
            cases.append({"name": f"{name}/gen={gen}", "messages": messages, "add_generation_prompt": gen, "variables": {}})
            if family == "qwen3":
                for thinking in (True, False):
                    cases.append({"name": f"{name}/gen={gen}/enable_thinking={thinking}", "messages": messages,
                                  "add_generation_prompt": gen, "variables": {"enable_thinking": thinking}})
    return cases


# Tool use, rendered with the template directly (ChatTemplate's messages carry role and content
# only): tool definitions through tojson, an assistant tool call, a tool response.
TOOL_CALL = {"role": "assistant", "content": "", "tool_calls": [
    {"id": "call00001", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}}]}
TOOL_RESULT = {"role": "tool", "tool_call_id": "call00001", "name": "get_weather", "content": "{\"temp\": 21.5, \"sky\": \"clear\"}"}
TOOL_FAMILIES = ("qwen2.5", "qwen3", "llama3.2", "mistral-nemo", "mistral-v0.3")


def tool_cases(family):
    weather = {"role": "user", "content": "Weather in Paris?"}
    return [
        {"name": "tools/ask", "variables": {"tools": [TOOL]}, "messages": [SYSTEM, weather], "add_generation_prompt": True},
        {"name": "tools/call_and_result", "variables": {"tools": [TOOL]},
         "messages": [weather, TOOL_CALL, TOOL_RESULT], "add_generation_prompt": True},
    ]


def render_family(env, family):
    with open(os.path.join(ROOT, family, "tokenizer_config.json"), encoding="utf-8") as f:
        config = json.load(f)
    specials = {k: special(config[k]) for k in ("bos_token", "eos_token", "pad_token", "unk_token") if k in config}
    out = []
    cases = golden_cases(family) + (tool_cases(family) if family in TOOL_FAMILIES else [])
    for case in cases:
        context = dict(specials)
        context.update(case["variables"])
        context["messages"] = case["messages"]
        context["add_generation_prompt"] = case["add_generation_prompt"]
        out.append({**case, **render(env, config["chat_template"], context)})
    with open(os.path.join(ROOT, family, "goldens.json"), "w", encoding="utf-8") as f:
        json.dump({"family": family, "jinja2": jinja2.__version__, "cases": out}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return out


# One small template per feature: name, template, context.
TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather of a city, \"now\".",
                                         "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                        "required": ["city"]}}}
FEATURES = [
    # whitespace control and the trim/lstrip settings
    ("ws_expression_minus", "a  \n  {{- 'x' -}}  \n  b", {}),
    ("ws_comment_minus", "a  \n  {#- note -#}  \n  b", {}),
    ("ws_block_minus", "a  \n  {%- if true -%}  \n  x  \n  {%- endif -%}  \n  b", {}),
    ("ws_trim_blocks", "{% if true %}\nx\n{% endif %}\ny", {}),
    ("ws_lstrip_blocks", "  {% if true %}\n    x\n  {% endif %}\n", {}),
    ("ws_lstrip_not_expression", "  {{ 'x' }}\n  {% if true %}y{% endif %}", {}),
    ("ws_plus_keeps", "  {%+ if true %}\nx{% endif +%}\ny", {}),
    ("ws_comment_trim", "a\n  {# c #}\nb", {}),
    ("ws_lstrip_after_expression", "{{ 'a' }}  {% if true %}b{% endif %}", {}),
    ("ws_trailing_newline_dropped", "x\n", {}),
    ("ws_crlf_normalized", "a\r\nb\rc", {}),
    ("ws_raw_block", "{% raw %}{{ not rendered }}{% endraw %}", {}),
    # literals and rendering of Python values
    ("render_bool_none", "{{ true }} {{ True }} {{ false }} {{ none }} {{ None }} {{ x }}", {"x": None}),
    ("render_numbers", "{{ 1 }} {{ 1.0 }} {{ 2.5e-7 }} {{ 1e20 }} {{ 10 / 4 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 0.1 + 0.2 }}", {}),
    ("float_floor_division", "{{ 1 // 0.1 }} {{ 1 % 0.1 }} {{ -7.5 // 2 }} {{ 7.5 % -2 }} {{ -7 % 2.5 }}", {}),
    ("render_list_dict", "{{ [1, 'a', none, true, 2.0] }} {{ {'k': 'v', 'n': [1]} }} {{ ('t', 1) }} {{ x }}", {"x": {"b": 1, "a": "it's"}}),
    ("render_undefined", "[{{ missing }}][{{ d.missing }}]", {"d": {}}),
    ("string_escapes", "{{ 'a\\nb\\t\\'c\\' \\u00e9' }}|{{ \"d\\\"e\" }}", {}),
    ("string_repeat_and_concat", "{{ '=' * 3 }}{{ 3 * 'ab' }}{{ 'a' ~ 1 ~ none }}{{ 'x' + 'y' }}{{ [1] + [2] }}", {}),
    # Python str methods
    ("str_startswith_endswith", "{{ s.startswith('ab') }} {{ s.endswith('yz') }} {{ s.startswith(('x', 'a')) }}", {"s": "abc xyz"}),
    ("str_strip_family", "[{{ s.strip() }}][{{ s.lstrip() }}][{{ s.rstrip() }}][{{ t.strip('\\n') }}][{{ t.lstrip('\\nx') }}][{{ t.rstrip('y\\n') }}]", {"s": " \t a b \n", "t": "\nxa\nby\n"}),
    ("str_case", "{{ s.upper() }} {{ s.lower() }} {{ s.title() }} {{ s.capitalize() }}", {"s": "hello wORLD-x y2k"}),
    ("str_split_sep", "{{ s.split('</think>') }} {{ s.split('</think>')[-1] }} {{ 'a,,b,'.split(',') }} {{ 'a,b,c'.split(',', 1) }}", {"s": "abc</think>"}),
    ("str_split_whitespace", "{{ '  a  b\\n c '.split() }} {{ ''.split() }}", {}),
    ("str_misc", "{{ s.replace('a', 'o') }} {{ s.find('b') }} {{ s.count('a') }} {{ s.isdigit() }} {{ '42'.isdigit() }} {{ '-'.join(['x', 'y']) }}", {"s": "banana"}),
    ("str_rsplit_partition", "{{ 'a.b.c'.rsplit('.', 1) }} {{ s.splitlines() }}", {"s": "l1\nl2\r\nl3"}),
    ("str_index_slice", "{{ s[0] }} {{ s[-1] }} {{ s[1:3] }} {{ s[::-1] }} {{ s[::2] }} {{ s[:-1] }} {{ s[10:] }}", {"s": "abcdef"}),
    # lists and slices
    ("list_slices", "{{ l[::-1] }} {{ l[1:] }} {{ l[:-1] }} {{ l[::2] }} {{ l[-2:] }} {{ l[1:-1:2] }} {{ l[-1] }}", {"l": [1, 2, 3, 4, 5]}),
    ("list_reverse_loop", "{% for m in messages[::-1] %}{{ m.role }}{% endfor %}", {"messages": [{"role": "a"}, {"role": "b"}]}),
    # dicts
    ("dict_get", "{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 'dflt') }} {{ d['a'] }} {{ d.a }}", {"d": {"a": 1}}),
    ("dict_items_order", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k, v in d|items %}{{ k }}{% endfor %}{{ d.keys()|list }}{{ d.values()|list }}", {"d": {"z": 1, "a": 2, "m": 3}}),
    ("dict_in_and_length", "{{ 'a' in d }} {{ 'b' in d }} {{ d|length }} {{ 'tool_calls' in m }}", {"d": {"a": 1}, "m": {"role": "user"}}),
    ("dict_method_wins_over_key", "{{ d['items'] }} {{ d.items()|list }}", {"d": {"items": "key"}}),
    # namespace
    # Mistral v0.3: an empty namespace whose attributes are set afterwards; a message compared with a
    # list element (dict equality, key order ignored); a filtered loop unpacking items()
    ("namespace_empty_then_set", "{% set ns = namespace() %}{% set ns.index = 0 %}{% for m in ms %}{% set ns.index = ns.index + 1 %}{% endfor %}{{ ns.index }}{{ ns.missing is defined }}", {"ms": [1, 2]}),
    ("mapping_equality", "{{ m == ms[-1] }} {{ m == ms[0] }} {{ {'a': 1, 'b': [1, {'c': none}]} == {'b': [1, {'c': none}], 'a': 1} }} {{ {'a': 1} == {'a': 1.0} }} {{ [m] == ms[1:] }} {{ m != ms[0] }}", {"m": {"role": "user", "content": "b"}, "ms": [{"role": "user", "content": "a"}, {"content": "b", "role": "user"}]}),
    ("loop_filter_unpack_items", "{% for k, v in d.items() if k != 'return' %}{{ k }}={{ v|tojson }}{% if not loop.last %}, {% endif %}{% endfor %}", {"d": {"name": "f", "return": 1, "parameters": {"type": "object"}}}),
    ("namespace_kwargs", "{% set ns = namespace(a=1, b=messages|length - 1, c='x') %}{% for i in [1, 2] %}{% set ns.a = ns.a + i %}{% endfor %}{{ ns.a }} {{ ns.b }} {{ ns.c }}", {"messages": [1, 2, 3]}),
    # loops
    ("loop_variables", "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}", {}),
    ("loop_previtem_nextitem", "{% for x in [1, 2, 3] %}{{ loop.previtem }}<{{ x }}>{{ loop.nextitem }}|{% endfor %}", {}),
    ("loop_filter_if", "{% for x in [1, 2, 3, 4] if x % 2 == 0 %}{{ x }}{{ loop.index }}{{ loop.last }};{% endfor %}", {}),
    ("loop_else", "{% for x in [] %}{{ x }}{% else %}empty{% endfor %}{% for x in [1] %}{{ x }}{% else %}no{% endfor %}", {}),
    ("loop_break_continue", "{% for x in [1, 2, 3, 4] %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}", {}),
    ("loop_scope", "{% set x = 5 %}{% for i in [1, 2] %}{{ x }}{% set x = i %}{{ x }}{% endfor %}[{{ x }}]", {}),
    ("loop_unpack_and_nested", "{% for a, b in [[1, 2], [3, 4]] %}{% for c in [a, b] %}{{ loop.index }}{{ c }}{% endfor %};{% endfor %}", {}),
    ("loop_over_dict", "{% for k in d %}{{ k }}{% endfor %}", {"d": {"b": 1, "a": 2}}),
    ("loop_range", "{% for i in range(3) %}{{ i }}{% endfor %}{% for i in range(1, 7, 2) %}{{ i }}{% endfor %}", {}),
    ("scope_set_after_loop", "{% for i in [1] %}[{{ x }}]{% endfor %}{% set x = 3 %}[{{ x }}]", {"x": "X"}),
    ("scope_read_before_loop", "[{{ x }}]{% for i in [1] %}[{{ x }}]{% endfor %}{% set x = 3 %}", {"x": "X"}),
    ("scope_set_in_branch", "{% for i in [1] %}[{{ x }}]{% endfor %}{% if false %}{% set x = 3 %}{% endif %}", {"x": "X"}),
    ("scope_nested_loop", "{% for i in [1, 2] %}{% for j in [1] %}[{{ x }}]{% endfor %}{% set x = i %}{% endfor %}", {"x": "X"}),
    ("scope_block_set_and_macro", "{% set y %}{% set x = 1 %}{{ x }}{% endset %}{{ y }}{{ x }}{% macro m() %}{% set x = 2 %}{{ x }}{% endmacro %}{{ m() }}{{ x }}", {"x": "X"}),
    ("set_in_if_top_level", "{% if true %}{% set x = 1 %}{% endif %}{{ x }}{% set a, b = 1, 2 %}{{ a }}{{ b }}", {}),
    ("set_block", "{% set x %}inner {{ 1 + 1 }}{% endset %}[{{ x }}]", {}),
    # tests and operators
    ("tests", "{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ n is none }} {{ s is string }} {{ d is mapping }} {{ l is iterable }} {{ s is iterable }} {{ 3 is number }} {{ l is sequence }} {{ 4 is even }} {{ 3 is odd }} {{ t is true }} {{ t is false }} {{ 6 is divisibleby 3 }} {{ 1 is integer }} {{ 1.5 is float }} {{ t is boolean }}", {"x": 1, "n": None, "s": "s", "d": {}, "l": [], "t": True}),
    ("test_equalto_not", "{{ x is not none }} {{ x is equalto 1 }} {{ x is eq 1 }} {{ not x is defined }} {{ x is ne 2 }}", {"x": 1}),
    ("compare_and_logic", "{{ 1 < 2 <= 2 }} {{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ 'ab' < 'b' }} {{ [1, 2] == [1, 2] }} {{ 0 or 'x' }} {{ 1 and 'y' }} {{ not 0 }} {{ 'b' in 'abc' }} {{ 2 not in [1] }} {{ none == none }}", {}),
    ("conditional_expression", "{{ 'y' if t else 'n' }} {{ 'y' if f else 'n' }} [{{ 'y' if f }}]", {"t": True, "f": False}),
    ("truthiness", "{% for v in [0, 1, '', 'a', [], [0], {}, none, 0.0] %}{{ 'T' if v else 'F' }}{% endfor %}", {}),
    # filters
    ("filter_tojson", "{{ t | tojson }}|{{ 'caf\u00e9 \"q\" <&>' | tojson }}|{{ [1, 2.5, none, true] | tojson }}", {"t": TOOL}),
    ("filter_tojson_indent", "{{ t | tojson(indent=4) }}|{{ {} | tojson(indent=2) }}|{{ [] | tojson(indent=2) }}|{{ {'b': [1, {'c': []}]} | tojson(indent=2) }}", {"t": TOOL}),
    ("filter_tojson_options", "{{ d | tojson(sort_keys=true) }}|{{ d | tojson(separators=(',', ':')) }}|{{ d | tojson(ensure_ascii=true) }}", {"d": {"z": "\u00e9\U0001F600", "a": 1}}),
    ("filter_indent", "[{{ s | indent }}][{{ s | indent(2) }}][{{ s | indent(2, true) }}][{{ s | indent(2, first=true, blank=true) }}][{{ s | indent('> ') }}]", {"s": "a\n\nb\n"}),
    ("filter_string_basics", "{{ ' a '|trim }}|{{ 'xxaxx'|trim('x') }}|{{ 'Ab'|upper }}{{ 'Ab'|lower }}|{{ 'hello world'|title }}|{{ 'hello'|capitalize }}|{{ 'aaa'|replace('a', 'b', 2) }}|{{ 'ab'|length }}|{{ 'a<b>&\"\\''|e }}|{{ 5|string }}{{ '7'|int + 1 }}{{ '2.5'|float }}", {}),
    ("filter_default", "{{ x|default('d') }} {{ n|default('d') }} {{ e|default('d', true) }} {{ y|d('z') }}", {"n": None, "e": "", "y": "set"}),
    ("filter_list_basics", "{{ l|first }} {{ l|last }} {{ l|join(', ') }} {{ l|reverse|list }} {{ l|length }} {{ l|count }} {{ l|sum }} {{ l|min }} {{ l|max }} {{ [3, 1, 2]|sort }} {{ [1, 1, 2]|unique|list }} {{ 'ab'|list }}", {"l": [1, 2, 3]}),
    ("filter_select_map", "{{ ms|selectattr('role', 'equalto', 'user')|list }} {{ ms|rejectattr('role', 'equalto', 'user')|map(attribute='content')|list }} {{ ms|map(attribute='role')|join(',') }} {{ ms|selectattr('tool')|list|length }} {{ [1, 0, 2]|select|list }} {{ [1, 2, 3]|reject('odd')|list }} {{ ['a', 'B']|map('upper')|list }}", {"ms": [{"role": "user", "content": "u"}, {"role": "assistant", "content": "a", "tool": 1}]}),
    ("filter_selectattr_undefined", "{{ ms|selectattr('tool_calls', 'undefined')|map(attribute='role')|list }} {{ ms|selectattr('tool_calls', 'defined')|list|length }}", {"ms": [{"role": "user"}, {"role": "assistant", "tool_calls": []}]}),
    ("filter_dictsort_and_items", "{{ d|dictsort }} {{ d|items|list }}", {"d": {"b": 1, "a": 2}}),
    ("filter_on_expression_precedence", "{{ 'x' + s|trim + 'y' }} {{ l|length - 1 }} {{ -1|abs }}", {"s": " a ", "l": [1, 2]}),
    # globals and errors
    ("raise_exception", "a{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}", {}),
    ("strftime_now", "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d %H:%M:%S') }}|{{ strftime_now('%A %B %j %I %p %y %a') }}", {}),
    ("macro", "{% macro render(m, sep='-') %}{{ m.role }}{{ sep }}{{ m.content }}{% endmacro %}{% for m in ms %}{{ render(m) }}{{ render(m, sep=':') }}{% endfor %}", {"ms": [{"role": "user", "content": "hi"}]}),
    ("error_undefined_attribute", "{{ missing.attr }}", {}),
    ("error_add_str_int", "{{ 'a' + 1 }}", {}),
    ("error_syntax", "{% if x %}never closed", {}),
    ("error_unknown_filter_in_untaken_branch", "{% if false %}{{ 'a' | no_such_filter }}{% endif %}", {}),
    ("error_break_outside_loop", "a{% break %}b", {}),
    ("error_break_in_macro_in_loop", "{% for i in [1] %}{% macro m() %}{% continue %}{% endmacro %}{% endfor %}x", {}),
    ("error_unknown_test", "{{ 1 is no_such_test }}", {}),
    ("error_unknown_filter", "{{ 'a' | no_such_filter }}", {}),
]


def render_features(env):
    out = []
    for name, source, context in FEATURES:
        out.append({"name": name, "template": source, "context": context, **render(env, source, context)})
    with open(os.path.join(ROOT, "features.json"), "w", encoding="utf-8") as f:
        json.dump({"jinja2": jinja2.__version__, "cases": out}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return out


# Random templates mixing text, whitespace, comments and {{ }} / {% %} tags with every whitespace
# control sign, if/else, for (with filters, loop variables) and set: the lexer's trim, lstrip and
# '-'/'+' rules and Jinja2's scoping, checked on combinations no hand-written case covers.
FUZZ_CONTEXT = {"x": "X", "l": [1, 2, 3], "d": {"k": "v", "b": [1.5, True]}, "n": None, "s": " hello World "}


def fuzz_templates(count, seed=1):
    rnd = random.Random(seed)
    spaces = ["", " ", "  ", "\n", " \n", "\n  ", "\t", "\n\n", " \n \n "]
    exprs = ["x", "'a'", "l|length", "x ~ 'b'", "l[::-1]", "d.k", "n", "none", "true", "l|tojson", "d|tojson(indent=2)",
             "(x if n else 'q')", "s.strip()", "s.split(' ')", "missing", "s|trim", "'{}'|length", "s[1:]",
             "d.items()|list", "l|join('-')", "1.5 * 2", "10 // 3", "s.title()", "[1, 2] + l", "l|first",
             "{'z': 1, 'a': [1, none]}"]
    conds = ["x", "n", "not n", "l|length > 1", "'a' in s", "x is defined", "y is defined", "n is none",
             "s.startswith('h')", "true and false", "l"]

    def sign():
        return rnd.choice(["", "", "-", "+"])

    def vsign():
        return rnd.choice(["", "", "-"])

    def piece(depth):
        r = rnd.random()
        if r < 0.3 or depth > 2:
            return rnd.choice(spaces) + rnd.choice(["t", "text", "a b", "{", "}", "%"]) + rnd.choice(spaces)
        if r < 0.5:
            return "{{" + vsign() + " " + rnd.choice(exprs) + " " + vsign() + "}}"
        if r < 0.6:
            return "{#" + vsign() + " c " + vsign() + "#}"
        if r < 0.8:
            return ("{%" + sign() + " if " + rnd.choice(conds) + " " + sign() + "%}" + body(depth + 1)
                    + ("{%" + sign() + " else " + sign() + "%}" + body(depth + 1) if rnd.random() < 0.4 else "")
                    + "{%" + sign() + " endif " + sign() + "%}")
        if r < 0.9:
            return ("{%" + sign() + " for i in l" + (" if i != 2" if rnd.random() < 0.3 else "") + " " + sign() + "%}"
                    + body(depth + 1)
                    + rnd.choice(["{{ loop.index }}", "{{ i }}", "{{ loop.previtem }}", "", "{% if loop.last %}L{% endif %}"])
                    + "{%" + sign() + " endfor " + sign() + "%}")
        return "{%" + sign() + " set x = " + rnd.choice(exprs) + " " + sign() + "%}"

    def body(depth):
        return "".join(piece(depth) for _ in range(rnd.randint(1, 4)))

    return ["".join(rnd.choice(spaces) + piece(0) for _ in range(rnd.randint(1, 5))) + rnd.choice(spaces)
            for _ in range(count)]


def render_fuzz(env):
    out = []
    for i, source in enumerate(fuzz_templates(400)):
        out.append({"name": f"fuzz-{i}", "template": source, **render(env, source, copy.deepcopy(FUZZ_CONTEXT))})
    with open(os.path.join(ROOT, "fuzz.json"), "w", encoding="utf-8") as f:
        json.dump({"jinja2": jinja2.__version__, "context": FUZZ_CONTEXT, "cases": out}, f, indent=0, ensure_ascii=False)
        f.write("\n")
    return out


def main():
    env = environment()
    families = sorted(d for d in os.listdir(ROOT) if os.path.isfile(os.path.join(ROOT, d, "tokenizer_config.json")))
    for family in families:
        cases = render_family(env, family)
        errors = sum(1 for c in cases if "error" in c)
        print(f"{family}: {len(cases)} cases, {errors} template errors")
    features = render_features(env)
    print(f"features: {len(features)} cases, {sum(1 for c in features if 'error' in c)} errors")
    fuzz = render_fuzz(env)
    print(f"fuzz: {len(fuzz)} cases, {sum(1 for c in fuzz if 'error' in c)} errors")


if __name__ == "__main__":
    sys.exit(main())
