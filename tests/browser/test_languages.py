"""The employee's journey in German and French, from a browser that asks for them (issue 16).

Every name the test looks for is read from the shipped catalogue: the test fails if a string on the
way is untranslated (it must differ from the English) or if the page shows something else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.utils import translation
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import PageChecker, read_code

FREE_SERIAL = "60200105"

pytestmark = pytest.mark.django_db(transaction=True)

LOCALES = {"de": "de-DE", "fr": "fr-FR"}


@pytest.fixture(params=sorted(LOCALES))
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def phone(browser: Browser, language: str) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale=LOCALES[language], timezone_id="Europe/Berlin"
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


def words(language: str) -> Callable[..., str]:
    """The catalogue's translation of an English string (with its placeholders filled)."""

    def say(english: str, **values: str) -> str:
        with translation.override(language):
            text = translation.gettext(english)
        assert text != english, f"{language}: {english!r} is not translated"
        return text % values if values else text

    return say


def fits(page: Page, check_page: PageChecker, name: str) -> None:
    check_page(page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name}: {width}px wide at 390px"


def test_an_employee_adds_a_token_in_their_language_on_a_phone(
    portal: str, phone: BrowserContext, language: str, check_page: PageChecker
) -> None:
    say = words(language)
    page = phone.new_page()
    page.goto(portal + "/")
    assert page.get_attribute("html", "lang") == language
    fits(page, check_page, f"lang-{language}-01-landing")

    page.get_by_role("link", name=say("Sign in with your work account")).click()
    page.get_by_role("button", name=say("Sign in as %(display_name)s", display_name="Megan Bowen")).click()
    expect(page.get_by_role("heading", name=say("My hardware tokens"))).to_be_visible()
    # The browser's own zone (Europe/Berlin), named on the page in the person's language.
    expect(page.get_by_text("Europe/Berlin")).to_be_visible()
    fits(page, check_page, f"lang-{language}-02-my-tokens")

    page.get_by_role("link", name=say("Add a token")).click()
    page.get_by_label(say("Serial number")).fill(FREE_SERIAL)
    page.get_by_label(say("Code shown on the token")).fill(read_code(phone, portal, FREE_SERIAL))
    fits(page, check_page, f"lang-{language}-03-add")
    page.get_by_role("button", name=say("Add token"), exact=True).click()
    page.wait_for_url(portal + "/tokens/")
    expect(page.get_by_text(say("Token %(serial)s is now active on your account.", serial=FREE_SERIAL))).to_be_visible()
    fits(page, check_page, f"lang-{language}-04-active")


def test_the_switch_changes_the_language_and_it_stays(portal: str, phone: BrowserContext, language: str) -> None:
    page = phone.new_page()
    page.goto(portal + "/")
    assert page.get_attribute("html", "lang") == language
    page.get_by_role("combobox").select_option("es")
    page.locator("form[action$='/i18n/setlang/'] button").click()
    assert page.get_attribute("html", "lang") == "es"
    page.goto(portal + "/")
    assert page.get_attribute("html", "lang") == "es"  # remembered over the browser's own language
