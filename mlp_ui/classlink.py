"""Classroom links: a preset's hidden and locked sidebar controls, signed by the server.

A classroom link carries its rules in three parameters besides the ordinary
settings::

    ?class=<code>&lock=dataset:xor,hidden:2&hide=lr:0.5&sig=<HMAC>&epochs=5000

``lock`` lists the settings drawn but disabled, ``hide`` those not drawn at all,
each with the value it is held at; ``class`` (optional) names the class whose
board the runs join. ``sig`` is HMAC-SHA256, keyed by the server's secret
(``Store.signing_key()``), over a canonical form of those three, so a changed
value, a control dropped from a list or another class code fails verification.
Ordinary parameters (``epochs=5000``) are the preset's free settings: the
student may change them, and a value given there for a held setting is ignored
(``Rules.ignored``). TensorFlow Playground's hidden controls could be unlocked by
editing the URL (its issue #63); these cannot.

Pure functions of a key and the parameters: no Streamlit, no database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from mlp_core.settings import SPECS, Settings

CLASS, HIDE, LOCK, SIG = "class", "hide", "lock", "sig"
LINK_PARAMS = (CLASS, HIDE, LOCK, SIG)
VERSION = "mlp-playground classroom link v1"
MAX_CODE = 64

EDITED = ("This classroom link has been changed since it was made, so its settings were not "
          "used: open the link your teacher gave you again.")


@dataclass(frozen=True)
class Rules:
    """What a classroom link holds: settings held at a value, hidden or locked.

    ``hidden`` and ``locked`` map setting names to the value each is held at.
    """

    class_code: str | None = None
    hidden: Mapping[str, object] = field(default_factory=dict)
    locked: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self):
        both = set(self.hidden) & set(self.locked)
        if both:
            raise ValueError(f"{', '.join(sorted(both))} cannot be both hidden and locked")
        for name, value in {**self.hidden, **self.locked}.items():
            if name not in SPECS:
                raise ValueError(f"{name!r} is not a setting")
            SPECS[name].check(value)
        if self.class_code is not None and not 0 < len(self.class_code) <= MAX_CODE:
            raise ValueError("a class code has 1 to 64 characters")

    @property
    def held(self) -> dict[str, object]:
        """Every setting the link holds (hidden or locked), with its value."""
        return {**self.hidden, **self.locked}

    def apply(self, settings: Settings) -> Settings:
        """``settings`` with every held setting at the link's value."""
        return Settings(**{**asdict(settings), **self.held})

    def ignored(self, params: Mapping[str, str]) -> list[str]:
        """A notice for each ordinary link parameter that tries to set a held setting."""
        return [f"{SPECS[name].label} is {'hidden' if name in self.hidden else 'locked'} by "
                f"the classroom link: ignored {name}={_short(params[name])} from the link."
                for name in self.held if name in params]

    @classmethod
    def from_preset(cls, preset: Settings, hidden, locked, class_code: str | None = None
                    ) -> Rules:
        """Rules holding ``preset``'s values of the ``hidden`` and ``locked`` settings."""
        return cls(class_code, {n: getattr(preset, n) for n in hidden},
                   {n: getattr(preset, n) for n in locked})


def _short(raw) -> str:
    text = str(raw)
    return repr(text if len(text) <= 24 else text[:21] + "...")


def _text(value) -> str:
    """A held value as the link writes it: exact, and free of ',' and ':'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _pairs(values: Mapping[str, object]) -> str:
    return ",".join(f"{name}:{_text(values[name])}" for name in sorted(values))


def canonical(rules: Rules) -> bytes:
    """The exact bytes the signature covers: the version, the class and both lists."""
    lines = (VERSION, f"{CLASS}={rules.class_code or ''}", f"{HIDE}={_pairs(rules.hidden)}",
             f"{LOCK}={_pairs(rules.locked)}")
    return "\n".join(lines).encode()


def signature(key: bytes, rules: Rules) -> str:
    digest = hmac.new(key, canonical(rules), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_params(key: bytes, rules: Rules, preset: Settings | None = None) -> dict[str, str]:
    """The query parameters of a classroom link: the rules, their signature, and the
    preset's other (free) settings that differ from the defaults."""
    params = {}
    if rules.class_code:
        params[CLASS] = rules.class_code
    if rules.locked:
        params[LOCK] = _pairs(rules.locked)
    if rules.hidden:
        params[HIDE] = _pairs(rules.hidden)
    params[SIG] = signature(key, rules)
    if preset is not None:
        params.update({k: v for k, v in preset.to_query().items() if k not in rules.held})
    return params


def _parse_pairs(raw: str) -> dict[str, object]:
    values: dict[str, object] = {}
    for item in filter(None, raw.split(",")):
        name, sep, text = item.partition(":")
        if not sep or name not in SPECS or name in values:
            raise ValueError(item)
        spec = SPECS[name]
        values[name] = spec.check(spec.parse(text))
    return values


def has_rules(params: Mapping[str, str]) -> bool:
    """Whether ``params`` carry a signed classroom link (not just a class code)."""
    return any(p in params for p in (HIDE, LOCK, SIG))


def read_link(key: bytes, params: Mapping[str, str]) -> Rules:
    """The verified rules of the classroom link in ``params``; ``ValueError(EDITED)`` when
    the signature is missing or does not match what the link holds."""
    try:
        rules = Rules(params.get(CLASS) or None, _parse_pairs(params.get(HIDE, "")),
                      _parse_pairs(params.get(LOCK, "")))
    except (ValueError, TypeError, OverflowError):
        raise ValueError(EDITED) from None
    given = params.get(SIG, "")
    if not hmac.compare_digest(given.encode(), signature(key, rules).encode()):
        raise ValueError(EDITED)
    return rules
