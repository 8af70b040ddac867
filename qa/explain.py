"""Refusal reasons in plain words, in the question's language («В заявлениях нет ответа: …»)."""
from __future__ import annotations

import re

# (pattern over answer()'s one-line reason, English words, Russian words); groups fill the {} in both.
_PLAIN = [
    (r"the question is too long \((\d+) characters; at most (\d+)\)",
     "the question is too long ({} characters; at most {})", "вопрос слишком длинный ({} символов; не больше {})"),
    (r"the question asks about (\d{4}); the statement does not mention it",
     "the question asks about {}, and the statements do not mention it", "в вопросе есть {} год, а в документах его нет"),
    (r"the question names (.+?); the statement does not",
     "the question names {}, and no statement does", "в вопросе названо «{}», а в документах — нет"),
    (r"the question asks for a figure",
     "the question asks for a figure, and the closest paragraph gives none", "вопрос о числе, а ближайший абзац числа не даёт"),
    (r"the statements contain almost none of the question's words",
     "the statements use almost none of the question's words", "в документах почти нет слов из вопроса"),
    (r"weak evidence",
     "no paragraph says this; the closest ones only touch on the subject",
     "ни один абзац не говорит об этом; ближайшие лишь близки по теме"),
    (r"no statement matches the filters", "no statement matches the filters", "ни один документ не подходит под фильтры"),
    (r"no statement within the chosen filters answers this well",
     "no statement within the chosen filters says this", "ни один документ в выбранных фильтрах не говорит об этом"),
    (r"the statement store is unreachable", "the statement store cannot be reached just now; try again shortly",
     "хранилище документов сейчас недоступно; попробуйте чуть позже"),
    (r"no statements match", "there are no statements to search yet", "документов для поиска пока нет"),
    (r"empty question", "ask a question about the statements", "задайте вопрос о документах"),
]
_OUTSIDE = re.compile(r"outside the chosen filters, (\d+) statement\(s\) answer it")


def plain_reason(reason: str, lang: str, focus_name: str = "") -> str:
    """The refusal's reason in words a reader can act on; `focus_name` names the statement a follow-up was read against."""
    parts = []
    for pattern, en, ru in _PLAIN:
        if m := re.search(pattern, reason or ""):
            parts.append((ru if lang == "ru" else en).format(*m.groups()))
            break
    if focus_name and (m := _OUTSIDE.search(reason or "")):
        parts = [f"{'в документе' if lang == 'ru' else 'in'} {focus_name} "
                 f"{'об этом не сказано' if lang == 'ru' else 'nothing says this'}"]
        others = "других документа(ов) говорят об этом" if lang == "ru" else "other statement(s) do"
        parts.append(f"{m.group(1)} {others}")
    elif m := _OUTSIDE.search(reason or ""):
        parts.append(f"вне фильтров об этом говорят документы: {m.group(1)}" if lang == "ru"
                     else f"{m.group(1)} statement(s) outside the filters do")
    if not parts:
        parts.append("the evidence is too weak" if lang != "ru" else "доказательства слишком слабые")
    return "; ".join(parts)


def refusal_line(reason: str, lang: str, focus_name: str = "") -> str:
    """«В заявлениях нет ответа: …» / "The statements do not answer this: …"."""
    head = "В заявлениях нет ответа" if lang == "ru" else "The statements do not answer this"
    return f"{head}: {plain_reason(reason, lang, focus_name)}."
