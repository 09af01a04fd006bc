"""The ``llm`` backend: any OpenAI-compatible endpoint (Chat Completions or Responses) via the openai SDK.

The answer is requested as structured output (a JSON schema with ``code`` and ``notes``);
endpoints that ignore ``response_format`` still work because a fenced code block or bare
source is accepted as the code.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, cast

import openai
from openai.types.chat import ChatCompletionMessageParam

from translator.backends.base import BackendAnswer, TranslationRequest, Usage
from translator.config import LlmConfig
from translator.errors import BackendError, ConfigError

ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "code": {
            "type": "string",
            "description": "the complete Python source for the requested names",
        },
        "notes": {"type": "string", "description": "one short paragraph on decisions taken"},
    },
    "required": ["code", "notes"],
    "additionalProperties": False,
}

_FENCE = re.compile(r"```(?:python|py)?\n(.*?)```", re.DOTALL)


def parse_answer(content: str) -> tuple[str, str]:
    """(code, notes) from a model's message: JSON first, then a fenced block, then the text."""
    text = content.strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("code"), str):
        notes = data.get("notes")
        return data["code"], notes if isinstance(notes, str) else ""
    fenced = _FENCE.search(text)
    if fenced:
        return fenced.group(1), ""
    return text, ""


class LlmBackend:
    """Chat Completions with structured output; one HTTP call per attempt."""

    name = "llm"
    accepts_feedback = True

    def __init__(
        self, config: LlmConfig, *, api_key: str | None = None, client: openai.OpenAI | None = None
    ) -> None:
        self.config = config
        if client is None:
            key = api_key if api_key is not None else os.environ.get(config.api_key_env)
            if not key:
                raise ConfigError(
                    f"the llm backend needs an API key in ${config.api_key_env} "
                    "(set [translate.llm].api_key_env to use another variable)"
                )
            client = openai.OpenAI(
                base_url=config.base_url, api_key=key, timeout=config.timeout_s, max_retries=2
            )
        self._client = client

    @property
    def model(self) -> str:
        return self.config.model

    def translate(self, request: TranslationRequest) -> BackendAnswer:
        if self.config.api == "responses":
            return self._translate_responses(request)
        return self._translate_chat(request)

    def _translate_responses(self, request: TranslationRequest) -> BackendAnswer:
        text_format: Any = {
            "format": {
                "type": "json_schema",
                "name": "translation",
                "schema": ANSWER_SCHEMA,
                "strict": True,
            }
        }
        temperature = self.config.temperature
        try:
            response = self._client.responses.create(
                model=self.config.model,
                input=cast("Any", [m.as_dict() for m in request.messages]),
                text=text_format if self.config.structured_output else openai.omit,
                max_output_tokens=self.config.max_output_tokens,
                temperature=temperature if temperature is not None else openai.omit,
            )
        except openai.APIError as exc:
            raise BackendError(
                f"{self.config.base_url}: model call for {request.unit_id} failed: {exc}"
            ) from exc
        content = response.output_text
        code, notes = parse_answer(content)
        usage = response.usage
        return BackendAnswer(
            code=code,
            model=response.model or self.config.model,
            usage=Usage(usage.input_tokens, usage.output_tokens) if usage is not None else Usage(),
            notes=notes,
            raw={"content": content, "id": response.id},
        )

    def _translate_chat(self, request: TranslationRequest) -> BackendAnswer:
        messages = cast("list[ChatCompletionMessageParam]", [m.as_dict() for m in request.messages])
        temperature = self.config.temperature
        try:
            response = self._client.chat.completions.create(
                model=self.config.model,
                messages=messages,
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "translation", "schema": ANSWER_SCHEMA, "strict": True},
                }
                if self.config.structured_output
                else openai.omit,
                max_completion_tokens=self.config.max_output_tokens,
                temperature=temperature if temperature is not None else openai.omit,
            )
        except openai.APIError as exc:
            raise BackendError(
                f"{self.config.base_url}: model call for {request.unit_id} failed: {exc}"
            ) from exc
        if not response.choices:
            raise BackendError(
                f"{self.config.base_url}: the answer for {request.unit_id} has no choices"
            )
        content = response.choices[0].message.content or ""
        code, notes = parse_answer(content)
        usage = response.usage
        return BackendAnswer(
            code=code,
            model=response.model or self.config.model,
            usage=Usage(usage.prompt_tokens, usage.completion_tokens)
            if usage is not None
            else Usage(),
            notes=notes,
            raw={"content": content, "id": response.id},
        )
