"""Directory sign-in settings from the environment; empty (off) when LDAP_SERVER_URI is unset.

settings.py applies `ldap_settings()`; the tests call it too, with the environment pointing at
their own slapd, so the configuration under test is the one production reads.

    LDAP_SERVER_URI          ldap://dc1.example.gov.tw (ldaps://… for TLS from the start)
    LDAP_START_TLS           true/false (default false): STARTTLS before binding; no fallback
    LDAP_TLS_CA_FILE         the CA certificate(s) the server's certificate must chain to
                             (default: the system's trusted CAs); checked with STARTTLS/ldaps
    LDAP_BIND_DN             the application's service account (empty: anonymous search)
    LDAP_BIND_PASSWORD       its password
    LDAP_USER_SEARCH_BASE    where users live, e.g. ou=people,dc=example,dc=gov,dc=tw
    LDAP_USER_FILTER         default (uid=%(user)s); on Active Directory e.g.
                             (&(sAMAccountName=%(user)s)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))
                             so a disabled account is not found and cannot sign in
    LDAP_GROUP_SEARCH_BASE   where groups live (empty: no group mapping)
    LDAP_GROUP_TYPE          groupOfNames (default) or activeDirectory (nested AD groups)
    LDAP_ATTR_FULL_NAME      default cn (displayName on AD)
    LDAP_ATTR_EMAIL          default mail
    LDAP_ORGANIZATION        the code of the organization whose directory this is (required)
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from perfreport.env import envbool, envint, envstr

BACKEND = "strategies.directory.DirectoryBackend"


def ldap_settings() -> dict[str, Any]:
    uri = envstr("LDAP_SERVER_URI", "").strip()
    if not uri:
        return {"LDAP_ORGANIZATION": ""}
    organization = envstr("LDAP_ORGANIZATION", "").strip()
    base = envstr("LDAP_USER_SEARCH_BASE", "").strip()
    if not organization or not base:
        raise ImproperlyConfigured(
            "LDAP_SERVER_URI is set: LDAP_ORGANIZATION (an organization code) and "
            "LDAP_USER_SEARCH_BASE must be set too."
        )
    # Imported only when the directory is on: python-ldap needs the system's libldap.
    import ldap
    from django_auth_ldap.config import (
        GroupOfNamesType,
        LDAPSearch,
        NestedActiveDirectoryGroupType,
    )

    config: dict[str, Any] = {
        "LDAP_ORGANIZATION": organization,
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_START_TLS": envbool("LDAP_START_TLS", False),
        "AUTH_LDAP_BIND_DN": envstr("LDAP_BIND_DN", ""),
        "AUTH_LDAP_BIND_PASSWORD": envstr("LDAP_BIND_PASSWORD", ""),
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(
            base, ldap.SCOPE_SUBTREE, envstr("LDAP_USER_FILTER", "(uid=%(user)s)")
        ),
        "AUTH_LDAP_USER_ATTR_MAP": {
            "first_name": envstr("LDAP_ATTR_FULL_NAME", "cn"),
            "email": envstr("LDAP_ATTR_EMAIL", "mail"),
        },
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            ldap.OPT_NETWORK_TIMEOUT: envint("LDAP_TIMEOUT_SECONDS", 5),
            ldap.OPT_TIMEOUT: envint("LDAP_TIMEOUT_SECONDS", 5),
            ldap.OPT_REFERRALS: 0,
        },
    }
    ca_file = envstr("LDAP_TLS_CA_FILE", "").strip()
    if ca_file:
        config["AUTH_LDAP_CONNECTION_OPTIONS"].update(
            {
                ldap.OPT_X_TLS_CACERTFILE: ca_file,
                ldap.OPT_X_TLS_REQUIRE_CERT: ldap.OPT_X_TLS_DEMAND,
                ldap.OPT_X_TLS_NEWCTX: 0,  # last: builds the TLS context from the options above
            }
        )
    group_base = envstr("LDAP_GROUP_SEARCH_BASE", "").strip()
    if group_base:
        kind = envstr("LDAP_GROUP_TYPE", "groupOfNames")
        if kind == "groupOfNames":
            group_type, object_class = GroupOfNamesType(), "groupOfNames"
        elif kind == "activeDirectory":
            group_type, object_class = NestedActiveDirectoryGroupType(), "group"
        else:
            raise ImproperlyConfigured(
                f"LDAP_GROUP_TYPE must be groupOfNames or activeDirectory, got {kind!r}"
            )
        config["AUTH_LDAP_GROUP_SEARCH"] = LDAPSearch(
            group_base, ldap.SCOPE_SUBTREE, f"(objectClass={object_class})"
        )
        config["AUTH_LDAP_GROUP_TYPE"] = group_type
    return config
