"""A throw-away OpenLDAP server (Debian's slapd) for the directory sign-in tests.

`start_slapd()` writes a slapd.conf and an LDIF into a temporary folder, loads the LDIF with
`slapadd`, and runs `slapd` in the foreground on a free loopback port. The directory is small
and fixed: one organizational unit per branch unit under ou=people, a bind account for the
application, an active user per role, one disabled user (employeeType: disabled, which the
configured user filter excludes, as `userAccountControl` does on Active Directory) and
groupOfNames groups. Every password is `directory-pass`, stored as a salted SHA hash.
"""

import base64
import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tests.certs import ServerCert

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")

BASE_DN = "dc=khh,dc=example"
BIND_DN = f"cn=perfreport-bind,{BASE_DN}"
ROOT_DN = f"cn=admin,{BASE_DN}"
PASSWORD = "directory-pass"  # noqa: S105 - a test directory's fixed password
USER_FILTER = "(&(uid=%(user)s)(!(employeeType=disabled)))"
PEOPLE = f"ou=people,{BASE_DN}"
GROUPS = f"ou=groups,{BASE_DN}"


def user_dn(uid: str, ou: str) -> str:
    return f"uid={uid},ou={ou},{PEOPLE}"


# uid, organizational unit (one per branch unit), full name, mail, employeeType
USERS = [
    ("alice", "metrology", "林愛麗", "alice@khh.example", "staff"),
    ("bob", "metrology", "王柏", "bob@khh.example", "staff"),
    ("carol", "secretariat", "陳卡蘿", "carol@khh.example", "staff"),
    ("dave", "secretariat", "張大衛", "dave@khh.example", "disabled"),
    ("erin", "metrology", "黃艾琳", "erin@khh.example", "staff"),
]
# group cn -> member uids
GROUP_MEMBERS = {
    "perf-metrology-staff": ["alice"],
    "perf-metrology-heads": ["bob"],
}
UNIT_OUS = {"metrology": "度量衡科", "secretariat": "秘書室"}


def group_dn(cn: str) -> str:
    return f"cn={cn},{GROUPS}"


class SlapdUnavailable(RuntimeError):
    """slapd is not installed or cannot run here (the message says why)."""


def _ssha(password: str) -> str:
    salt = os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt, usedforsecurity=False).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def _ldif() -> str:
    uid_ou = {uid: ou for uid, ou, *_rest in USERS}
    entries = [
        f"dn: {BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\no: khh\ndc: khh",
        f"dn: {BIND_DN}\nobjectClass: simpleSecurityObject\nobjectClass: organizationalRole\n"
        f"cn: perfreport-bind\nuserPassword: {_ssha(PASSWORD)}",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups",
    ]
    for ou, name in UNIT_OUS.items():
        encoded = base64.b64encode(name.encode()).decode()
        entries.append(
            f"dn: ou={ou},{PEOPLE}\nobjectClass: organizationalUnit\nou: {ou}\n"
            f"description:: {encoded}"
        )
    for uid, ou, full_name, mail, kind in USERS:
        cn = base64.b64encode(full_name.encode()).decode()
        entries.append(
            f"dn: {user_dn(uid, ou)}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn:: {cn}\n"
            f"sn: {uid}\nmail: {mail}\nemployeeType: {kind}\nuserPassword: {_ssha(PASSWORD)}"
        )
    for cn, members in GROUP_MEMBERS.items():
        lines = [f"dn: {group_dn(cn)}", "objectClass: groupOfNames", f"cn: {cn}"]
        lines += [f"member: {user_dn(uid, uid_ou[uid])}" for uid in members]
        entries.append("\n".join(lines))
    return "\n\n".join(entries) + "\n"


def _conf(folder: Path, tls: ServerCert | None) -> str:
    tls_lines = (
        f"TLSCACertificateFile {tls.ca}\nTLSCertificateFile {tls.cert}\n"
        f"TLSCertificateKeyFile {tls.key}\n"
        if tls
        else ""
    )
    schemas = "\n".join(
        f"include {SCHEMA_DIR / name}.schema" for name in ("core", "cosine", "inetorgperson", "nis")
    )
    return f"""{schemas}
{tls_lines}pidfile {folder / "slapd.pid"}
modulepath {MODULE_DIR}
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{BASE_DN}"
rootdn "{ROOT_DN}"
rootpw {_ssha(PASSWORD)}
directory {folder / "data"}
access to attrs=userPassword by anonymous auth by self read by * none
access to * by * read
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Slapd:
    uri: str
    folder: Path
    process: subprocess.Popen
    log: IO[str]
    cert: ServerCert | None = None

    def delete(self, dn: str) -> None:
        """Remove an entry, as a directory administrator would (ldapdelete as the root DN)."""
        subprocess.run(  # noqa: S603 - fixed arguments
            ["ldapdelete", "-x", "-H", self.uri, "-D", ROOT_DN, "-w", PASSWORD, dn],  # noqa: S607
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_slapd(tls: ServerCert | None = None) -> Slapd:
    """Run a fresh slapd with the test directory; raise SlapdUnavailable saying why not.

    With `tls`, slapd offers STARTTLS with that certificate.
    """
    for program in (SLAPD, SLAPADD):
        if not Path(program).exists():
            raise SlapdUnavailable(
                f"{program} is not installed (Debian packages slapd, ldap-utils)"
            )
    if not (SCHEMA_DIR / "inetorgperson.schema").exists():
        raise SlapdUnavailable(f"{SCHEMA_DIR} has no inetorgperson.schema")
    folder = Path(tempfile.mkdtemp(prefix="perfreport-slapd-"))
    (folder / "data").mkdir()
    conf = folder / "slapd.conf"
    conf.write_text(_conf(folder, tls), encoding="utf-8")
    ldif = folder / "directory.ldif"
    ldif.write_text(_ldif(), encoding="utf-8")
    loaded = subprocess.run(  # noqa: S603 - fixed arguments
        [SLAPADD, "-f", str(conf), "-l", str(ldif)], capture_output=True, text=True, check=False
    )
    if loaded.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise SlapdUnavailable(f"slapadd failed: {loaded.stderr.strip()[-500:]}")
    port = _free_port()
    uri = f"ldap://127.0.0.1:{port}"
    log = (folder / "slapd.log").open("w")
    # -d keeps slapd in the foreground, so the test owns the process and stops it.
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [SLAPD, "-f", str(conf), "-h", uri + "/", "-d", "0"], stdout=log, stderr=log
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.close()
            output = (folder / "slapd.log").read_text(errors="replace")[-800:]
            shutil.rmtree(folder, ignore_errors=True)
            raise SlapdUnavailable(f"slapd exited with {process.returncode}: {output}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return Slapd(uri=uri, folder=folder, process=process, log=log, cert=tls)
        except OSError:
            time.sleep(0.1)
    server = Slapd(uri=uri, folder=folder, process=process, log=log)
    server.stop()
    raise SlapdUnavailable("slapd did not accept connections within 15 s")
