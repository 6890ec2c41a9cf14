"""Browser walks through the site: Playwright driving Debian's headless Chromium. New pages
add a walk here, using the helpers in tests/browser/helpers.py."""
