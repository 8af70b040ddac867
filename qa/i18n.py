"""The interface's words in Russian and English, and which language a browser or a question wants."""
from __future__ import annotations

from ingest.terms import is_russian

LANGUAGES = ("en", "ru")
STRINGS: dict[str, dict[str, str]] = {
    "title": {"en": "Statement QA — quoted, cited answers from official statements",
              "ru": "Ответы по официальным заявлениям — цитаты со ссылками"},
    "chat_tab": {"en": "Chat", "ru": "Чат"},
    "statements_tab": {"en": "Statements", "ru": "Документы"},
    "placeholder": {"en": "Ask in English or Russian…", "ru": "Задайте вопрос по-русски или по-английски…"},
    "ask": {"en": "Ask", "ru": "Спросить"},
    "clear": {"en": "New chat", "ru": "Новый чат"},
    "examples": {"en": "Try", "ru": "Попробуйте"},
    "filters": {"en": "Filters", "ru": "Фильтры"},
    "statements_filter": {"en": "Statements", "ru": "Документы"},
    "since": {"en": "Since (YYYY-MM-DD)", "ru": "С даты (ГГГГ-ММ-ДД)"},
    "until": {"en": "Until (YYYY-MM-DD)", "ru": "По дату (ГГГГ-ММ-ДД)"},
    "passages": {"en": "Retrieved passages and scores", "ru": "Найденные абзацы и оценки"},
    "language": {"en": "Language", "ru": "Язык"},
    "panel_empty": {"en": "Click a citation chip to see the whole statement here.",
                    "ru": "Нажмите на ссылку в ответе, чтобы увидеть документ целиком."},
    "empty_chat": {"en": "Ask a question about the statements. Every answer quotes them word for word and cites the paragraph.",
                   "ru": "Задайте вопрос о документах. Ответ цитирует их дословно и называет абзац."},
    "closest": {"en": "Closest paragraphs — not an answer", "ru": "Ближайшие абзацы — это не ответ"},
    "no_answer": {"en": "The statements do not answer this", "ru": "В заявлениях нет ответа"},
    "copy": {"en": "copy citation", "ru": "скопировать ссылку"},
    "copied": {"en": "copied", "ru": "скопировано"},
    "link": {"en": "link to this answer", "ru": "ссылка на этот ответ"},
    "yes": {"en": "Yes", "ru": "Да"},
    "no": {"en": "No", "ru": "Нет"},
    "comment": {"en": "Comment (optional)", "ru": "Комментарий (необязательно)"},
    "thanks": {"en": "Thank you — saved.", "ru": "Спасибо — сохранено."},
    "sorry": {"en": "Sorry", "ru": "Извините"},
    "went_wrong": {"en": "Sorry, something went wrong; the log has the details.",
                   "ru": "Извините, что-то пошло не так; подробности в журнале."},
    "gone": {"en": "This statement is no longer in the store.", "ru": "Этого документа больше нет в хранилище."},
    "issuer": {"en": "Issuer", "ru": "Кем принят"},
    "date": {"en": "Date", "ru": "Дата"},
    "place": {"en": "Place", "ru": "Место"},
    "number": {"en": "Number", "ru": "Номер"},
    "source": {"en": "Source", "ru": "Файл"},
    "title_col": {"en": "Title", "ru": "Название"},
    "paragraphs": {"en": "Paragraphs", "ru": "Абзацев"},
    "warnings": {"en": "Warnings", "ru": "Предупреждения"},
    "open": {"en": "Open", "ru": "Открыть"},
    "remove": {"en": "Remove", "ru": "Удалить"},
    "choose_statement": {"en": "Statement to open or remove", "ru": "Документ: открыть или удалить"},
    "removed": {"en": "Removed", "ru": "Удалён"},
    "upload": {"en": "Add statements (files or a folder's files)", "ru": "Добавить документы (файлы)"},
    "replace": {"en": "Replace: a file under the id of a stored statement replaces it (otherwise it is refused)",
                "ru": "Заменять: файл с идентификатором уже сохранённого документа заменяет его (иначе отклоняется)"},
    "no_file": {"en": "No file chosen.", "ru": "Файл не выбран."},
    "undated": {"en": "undated", "ru": "без даты"},
    "duplicate": {"en": "duplicate of", "ru": "дубликат"},
    "title_suspect": {"en": "title looks wrong", "ru": "название похоже на ошибку"},
    "statement_count": {"en": "statements", "ru": "документов"},
    "added": {"en": "added", "ru": "добавлен"},
    "replaced": {"en": "replaced", "ru": "заменён"},
    "unchanged": {"en": "unchanged", "ru": "без изменений"},
    "failed": {"en": "not read", "ru": "не прочитан"},
    "refused": {"en": "refused: statement {sid} is already stored from another file with different content; tick "
                      "“Replace” and upload again to replace it",
                "ru": "отклонён: документ {sid} уже сохранён из другого файла с другим текстом; отметьте «Заменять» и "
                      "загрузите снова"},
    "since_name": {"en": "Since", "ru": "С даты"},
    "until_name": {"en": "Until", "ru": "По дату"},
    "bad_date": {"en": "The “{field}” date {value} does not exist; use YYYY-MM-DD, e.g. 2018-11-08",
                 "ru": "Дата «{field}» — {value} — не существует; нужен формат ГГГГ-ММ-ДД, например 2018-11-08"},
    "confirm_remove": {"en": "Confirm removal of «{title}»?", "ru": "Точно удалить «{title}»?"},
    "col_statement": {"en": "statement", "ru": "документ"},
    "col_fused": {"en": "fused", "ru": "итог"},
    "col_dense": {"en": "dense", "ru": "по смыслу"},
    "col_bm25": {"en": "bm25", "ru": "по словам"},
    "col_text": {"en": "text", "ru": "текст"},
    "matched_as": {"en": "Also matched as", "ru": "Также искали как"},
    "feedback_title": {"en": "Was this answer right?", "ru": "Ответ верный?"},
}


def t(key: str, lang: str) -> str:
    """The interface string `key` in `lang` (English when the language is unknown)."""
    entry = STRINGS[key]
    return entry.get(lang) or entry["en"]


def browser_language(accept_language: str | None, query_lang: str | None = None) -> str:
    """?lang=ru|en first, then the first of the browser's Accept-Language we have, else English."""
    if query_lang in LANGUAGES:
        return query_lang
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def question_language(question: str) -> str:
    """A refusal answers in the question's language."""
    return "ru" if is_russian(question) else "en"
