"""Link checking: collect every http(s) URL in the library, check it politely, cache verdicts."""
