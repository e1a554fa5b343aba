"""The SMTP mailer from the environment (settings.py and the SMTP tests read it the same way).

EMAIL_HOST, EMAIL_PORT         the agency's relay (default localhost:25)
EMAIL_USE_TLS                  STARTTLS after connecting (true/false, default false)
EMAIL_USE_SSL                  TLS from the start, usually port 465 (not with EMAIL_USE_TLS)
EMAIL_HOST_USER / _PASSWORD    credentials, when the relay asks for them
EMAIL_TIMEOUT                  seconds before a silent server counts as down (default 20)
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from perfreport.env import envbool, envint, envstr


def smtp_mailers() -> dict[str, Any]:
    use_tls, use_ssl = envbool("EMAIL_USE_TLS", False), envbool("EMAIL_USE_SSL", False)
    if use_tls and use_ssl:
        raise ImproperlyConfigured("EMAIL_USE_TLS (STARTTLS) and EMAIL_USE_SSL exclude each other.")
    return {
        "default": {
            "BACKEND": envstr("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
            "OPTIONS": {
                "host": envstr("EMAIL_HOST", "localhost"),
                "port": envint("EMAIL_PORT", 25),
                "username": envstr("EMAIL_HOST_USER", ""),
                "password": envstr("EMAIL_HOST_PASSWORD", ""),
                "use_tls": use_tls,
                "use_ssl": use_ssl,
                "timeout": envint("EMAIL_TIMEOUT", 20),
            },
        }
    }
