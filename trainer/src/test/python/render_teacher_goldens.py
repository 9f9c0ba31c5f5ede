#!/usr/bin/env python3
"""Reference renders of multi-turn teacher contexts by Jinja2, for MultiTurnTeacherContextTest.

A multi-turn task (an arithmetic-tool dataset line: user, assistant tool call, tool result, user)
is rendered twice per real chat template, as transformers' apply_chat_template renders it (the
environment of render_chat_goldens.py): the student's prompt (the conversation as written, with
the generation prompt) and the teacher's (the same earlier turns, the last user turn rewritten by
prompts/default/reprompt.txt with solution.txt and/or feedback.txt filled in, one pass).

Tool turns: a template whose Jinja2 render of [user, assistant, tool, user] keeps the tool's
content has a tool role and gets the turns as they are; one that refuses it (Gemma 3) gets the
documented fold (docs/training.md, "Multi-turn tasks"): each tool turn becomes a user turn
"<tool_response>\\n" + content + "\\n</tool_response>", merged with a neighbouring user turn by "\\n".

For Qwen2.5 and Qwen3 it also checks that the assistant's tool call written as text (a turn has only
role and content) renders as the same call given as a structured tool_calls entry.

Writes trainer/src/test/resources/chat-templates/teacher-contexts.json. Run from the repository
root: python3 trainer/src/test/python/render_teacher_goldens.py (needs jinja2).
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from render_chat_goldens import ROOT, environment, special  # noqa: E402

PROMPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "prompts", "default")
FAMILIES = ("qwen2.5", "qwen3", "llama3.1", "gemma3")

CALL = "<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"3+4\"}}\n</tool_call>"
TASK = {"id": "t0", "answer": 5, "prompt": [
    {"role": "user", "content": "(3+4)-2="},
    {"role": "assistant", "content": CALL},
    {"role": "tool", "content": "7"},
    {"role": "user", "content": "7-2="}]}
SYSTEM_TASK = {"id": "t1", "answer": 5, "prompt": [{"role": "system", "content": "You add and subtract."}] + TASK["prompt"]}
CONTEXTS = [("solution", "5", None), ("feedback", None, "The answer 4 is too small."), ("both", "5", "The answer 4 is too small.")]


def read(name):
    with open(os.path.join(PROMPTS, name), encoding="utf-8") as f:
        return f.read()


def teacher_turn(prompt, solution, feedback):
    s = "" if solution is None else read("solution.txt").replace("{solution}", solution)
    f = "" if feedback is None else read("feedback.txt").replace("{feedback}", feedback)
    values = {"prompt": prompt, "solution": s, "feedback": f}
    return re.sub(r"\{(prompt|solution|feedback)\}", lambda m: values[m.group(1)], read("reprompt.txt"))


def fold(turns):
    out, last_folded = [], False
    for m in turns:
        tool = m["role"] == "tool"
        content = "<tool_response>\n" + m["content"] + "\n</tool_response>" if tool else m["content"]
        if out and out[-1]["role"] == "user" and m["role"] in ("user", "tool") and (tool or last_folded):
            out[-1] = {"role": "user", "content": out[-1]["content"] + "\n" + content}
            last_folded = True
        else:
            out.append({"role": "user" if tool else m["role"], "content": content})
            last_folded = tool
    return out


def main():
    env = environment()
    cases = []
    for family in FAMILIES:
        with open(os.path.join(ROOT, family, "tokenizer_config.json"), encoding="utf-8") as f:
            config = json.load(f)
        specials = {k: special(config[k]) for k in ("bos_token", "eos_token", "pad_token", "unk_token") if k in config}
        template = env.from_string(config["chat_template"])

        def render(messages):
            return template.render(**specials, messages=messages, add_generation_prompt=True)

        probe = [{"role": "user", "content": "u"}, {"role": "assistant", "content": "a"},
                 {"role": "tool", "content": "tool-role probe"}, {"role": "user", "content": "v"}]
        try:
            tool_role = "tool-role probe" in render(probe)
        except Exception:
            tool_role = False
        if family in ("qwen2.5", "qwen3"):
            # The tool call written as the assistant's text renders as the structured call does.
            structured = [TASK["prompt"][0], {"role": "assistant", "content": "", "tool_calls": [{"type": "function",
                          "function": {"name": "calculator", "arguments": {"expression": "3+4"}}}]}] + TASK["prompt"][2:]
            assert render(structured) == render(TASK["prompt"]), family
        for task in (TASK, SYSTEM_TASK):
            turns = task["prompt"]
            for name, solution, feedback in CONTEXTS:
                teacher = turns[:-1] + [{"role": "user", "content": teacher_turn(turns[-1]["content"], solution, feedback)}]
                cases.append({"family": family, "name": f"{task['id']}/{name}", "tool_role": tool_role,
                              "line": json.dumps(task, ensure_ascii=False), "solution": solution, "feedback": feedback,
                              "student": render(turns if tool_role else fold(turns)),
                              "teacher": render(teacher if tool_role else fold(teacher))})
        print(f"{family}: tool role {tool_role}")
    with open(os.path.join(ROOT, "teacher-contexts.json"), "w", encoding="utf-8") as f:
        json.dump({"cases": cases}, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
