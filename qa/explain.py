"""Refusal reasons in plain words, in the question's language («В заявлениях нет ответа: …»)."""
from __future__ import annotations

# reason code → (English words, Russian words); the reason's values fill the {} in both.
_PLAIN = {
    "too_long": ("the question is too long ({} characters; at most {})", "вопрос слишком длинный ({} символов; не больше {})"),
    "year_missing": ("the question asks about {}, and the statements do not mention it", "в вопросе есть {} год, а в документах его нет"),
    "name_missing": ("the question names {}, and no statement does", "в вопросе названо «{}», а в документах — нет"),
    "quoted_missing": ("the question names «{}», and no statement does", "в вопросе названо «{}», а в документах — нет"),
    "no_figure": ("the question asks for a figure, and the closest paragraph gives none",
                  "вопрос о числе, а ближайший абзац числа не даёт"),
    "unreadable": ("the statements use almost none of the question's words", "в документах почти нет слов из вопроса"),
    "weak": ("no paragraph says this; the closest ones only touch on the subject",
             "ни один абзац не говорит об этом; ближайшие лишь близки по теме"),
    "filters_match_nothing": ("no statement matches the filters", "ни один документ не подходит под фильтры"),
    "weak_in_filters": ("no statement within the chosen filters says this", "ни один документ в выбранных фильтрах не говорит об этом"),
    "unreachable": ("the statement store cannot be reached just now; try again shortly",
                    "хранилище документов сейчас недоступно; попробуйте чуть позже"),
    "no_match": ("there are no statements to search yet", "документов для поиска пока нет"),
    "empty_store": ("there are no statements to search yet", "документов для поиска пока нет"),
    "empty_question": ("ask a question about the statements", "задайте вопрос о документах"),
}


def plain_reason(reasons: list[dict], lang: str, focus_name: str = "", outside_names: list[str] | None = None) -> str:
    """The refusal's reasons (Reason.to_json() dicts) in words a reader can act on. `focus_name` names the statement a
    follow-up was read against; `outside_names` name the statements outside the filters that do answer."""
    ru = lang == "ru"
    first = next((r for r in reasons if r["code"] in _PLAIN), None)
    parts = [_PLAIN[first["code"]][ru].format(*first["values"])] if first else []
    outside = next((r for r in reasons if r["code"] == "outside_filters"), None)
    if outside:
        n = outside["values"][0]
        named = f" ({'; '.join(outside_names[:3])}{'; …' if len(outside_names) > 3 else ''})" if outside_names else ""
        if focus_name:
            parts = [f"{'в документе' if ru else 'in'} {focus_name} {'об этом не сказано' if ru else 'nothing says this'}",
                     f"{n} {'других документа(ов) говорят об этом' if ru else 'other statement(s) do'}{named}"]
        else:
            parts.append(f"вне фильтров об этом говорят документы: {n}{named}" if ru else f"{n} statement(s) outside the filters do{named}")
    if not parts:
        parts.append("доказательства слишком слабые" if ru else "the evidence is too weak")
    return "; ".join(parts)


def refusal_line(reasons: list[dict], lang: str, focus_name: str = "", outside_names: list[str] | None = None) -> str:
    """«В заявлениях нет ответа: …» / "The statements do not answer this: …"."""
    head = "В заявлениях нет ответа" if lang == "ru" else "The statements do not answer this"
    return f"{head}: {plain_reason(reasons, lang, focus_name, outside_names)}."
