"""The ``mechanical`` backend: deterministic translation of Rust declarations.

Structs, enums, type aliases and consts become pydantic models, enums, aliases and
``Final`` constants (see :mod:`translator.mechanical.emit`). Types the items reference are
named, not re-emitted: they live in their own units. Functions and methods need a model.
"""

from __future__ import annotations

from collections.abc import Callable

from translator.backends.base import BackendAnswer, TranslationRequest, Usage
from translator.errors import BackendError
from translator.mechanical.emit import Emitter
from translator.mechanical.ir import RustDecl
from translator.mechanical.module import render_candidate
from translator.mechanical.parse import parse_source
from translator.mechanical.registry import Registry

DECLARATION_KINDS = {"struct", "enum", "type_alias", "const"}


class MechanicalBackend:
    name = "mechanical"

    def __init__(self, registry: Callable[[], Registry] | None = None) -> None:
        self._registry_factory = registry
        self._registry: Registry | None = None

    @property
    def model(self) -> str:
        return "mechanical"

    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = (
                self._registry_factory() if self._registry_factory is not None else Registry()
            )
        return self._registry

    def _decl_for(self, qualified_path: str, text: str | None, file: str) -> RustDecl:
        found = self.registry().find(qualified_path)
        if found is not None:
            return found
        if not text:
            raise BackendError(f"{qualified_path}: no Rust text to translate")
        module, _, name = qualified_path.rpartition("::")
        crate = module.split("::", 1)[0]
        parsed = parse_source(text, file=file, crate=crate, module=module)
        for decl in parsed.decls:
            if decl.name == name:
                return decl
        raise BackendError(
            f"{qualified_path}: the mechanical backend found no declaration named {name} in its text"
        )

    def translate(self, request: TranslationRequest) -> BackendAnswer:
        unsupported = [
            i.qualified_path for i in request.items if i.item_kind not in DECLARATION_KINDS
        ]
        if unsupported:
            raise BackendError(
                f"the mechanical backend translates declarations only; {', '.join(unsupported)} "
                "need the llm backend (--backend llm)"
            )
        emitter = Emitter(self.registry(), follow=False)
        roots = [
            self._decl_for(i.qualified_path, i.new_text, i.file)
            for i in request.items
            if i.action != "remove"
        ]
        defs = emitter.translate(roots)
        names = [d.name for d in defs]
        include_base = "FerryModel" not in request.target_names and any(
            d.kind == "model" for d in defs
        )
        code = render_candidate(defs, include_base=include_base)
        extra = tuple(n for n in names if n not in request.expected_names)
        if include_base:
            extra = ("FerryModel", *extra)
        sources = {d.name: d.source.qualified_path for d in defs}
        return BackendAnswer(
            code=code,
            model="mechanical",
            usage=Usage(),
            notes=f"unresolved Rust types mapped to Any: {sorted(emitter.unresolved)}"
            if emitter.unresolved
            else "",
            extra_names=extra,
            sources=sources,
        )
