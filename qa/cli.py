"""statement-qa ask|ingest|eval|serve — the installed command: the same CLIs as `python -m qa`, `python -m ingest`,
`python -m qa.eval` and `python app.py`."""
from __future__ import annotations

import sys

USAGE = """usage: statement-qa COMMAND [ARGS]

commands:
  ask QUESTION [--json] [--follow-up] [--k N] [--statement ID] [--since DATE] [--until DATE]   answer (--follow-up: after the last ask)
  ingest parse|add|list|remove ...                                             read and store statements
  eval FILE.jsonl... | eval diff A.json B.json                                 evaluate on question sets
  serve                                                                        the web chat and the JSON API

Settings come from QA_* environment variables or .env (see config/settings.py); `statement-qa COMMAND --help` for more."""


def main(argv: list[str] | None = None) -> int:
    installed, argv = argv is None, sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "ask":
        from qa.__main__ import _exit
        from qa.__main__ import main as ask

        code = ask(["ask", *rest])
        if installed:  # the command itself, not a caller's function: leave without the teardown, as python -m qa does
            _exit(code)
        return code
    if command == "ingest":
        from ingest.__main__ import main as ingest

        return ingest(rest)
    if command == "eval":
        from qa.eval import main as evaluate

        return evaluate(rest)
    if command == "serve":
        if rest and rest[0] in ("-h", "--help"):
            print("usage: statement-qa serve   (QA_HOST, QA_PORT, QA_AUTH, QA_API_TOKEN, QA_PERSIST_DIR, QA_ALLOW_UPLOAD, "
                  "QA_MAX_CONCURRENT_ANSWERS, QA_ANSWER_TIMEOUT_S, QA_LOGIN_MAX_FAILURES …)\n"
                  "browser uploads need QA_AUTH, or QA_ALLOW_UPLOAD=1 with a loopback QA_HOST")
            return 0
        import app

        app.main()
        return 0
    print(f"statement-qa: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
