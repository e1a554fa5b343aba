"""The login page names the agency and says who resets a forgotten password; every page links
its icon."""

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_the_login_page_names_the_agency_and_who_to_ask(client, org):
    page = client.get("/login/").content.decode()
    assert 'id="login-agency">經濟部標準檢驗局高雄分局<' in page
    assert "忘記密碼或帳號被停用時，請洽高雄分局的系統管理者" in page


@pytest.mark.django_db
def test_with_several_branches_it_names_none_but_still_says_who_to_ask(client, org, other_org):
    page = client.get("/login/").content.decode()
    assert 'id="login-agency"' not in page
    assert "請洽本機關的系統管理者" in page


@pytest.mark.django_db
def test_in_english(client, org, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/login/").content.decode()
    assert "Ask the system administrator of 高雄分局" in page


@pytest.mark.django_db
def test_a_favicon_is_linked_and_served(client):
    page = client.get("/login/").content.decode()
    assert 'rel="icon"' in page and "favicon" in page
    assert finders.find("favicon.svg")
