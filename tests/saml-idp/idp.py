"""A real SAML 2.0 identity provider shaped like NIA (eIDAS profile), for Obcan's tests.

Run:
    tests/saml-idp/setup
    PORT=18123 IDP_DIR=$(mktemp -d) tests/saml-idp/.venv/bin/python tests/saml-idp/idp.py

Environment:
    PORT     port to listen on, 127.0.0.1 only; if it is taken the IdP exits non-zero
    IDP_DIR  a fresh directory for the generated keys, certificates and temporary files

Prints one line "ready http://127.0.0.1:PORT" to stdout once it listens, then logs to stderr only.
Its entity ID is http://127.0.0.1:PORT/metadata. At start it generates an RSA-2048 signing key
with a self-signed certificate, and a second, foreign pair that only the wrong_key mode uses.

Trust: no SP is configured. A request's <saml:Issuer> must be an http URL on 127.0.0.1 or
localhost: it is the SP's entity ID and its metadata URL, fetched anew for every request. Every
request must carry an enveloped RSA-SHA256 signature by the SP's signing certificate.

Endpoints:
    GET  /metadata      IdP metadata (WantAuthnRequestsSigned="true")
    POST /sso           AuthnRequest, HTTP-POST binding (SAMLRequest, RelayState): login page
    GET  /sso           the same, HTTP-Redirect binding (SAMLRequest, RelayState, SigAlg, Signature)
    POST /sso/login     the login page's form (its fields plus person): page auto-posting a
                        mode "valid" Response to the SP's ACS (button "Pokračovat", id continue)
    POST /test/respond  SAMLRequest, RelayState, person (default jana), mode (default valid):
                        JSON {"acs_url", "SAMLResponse", "RelayState"}
    POST /slo           signed LogoutRequest, HTTP-POST: page auto-posting a signed
                        LogoutResponse to the SP's SingleLogoutService
    POST /test/logout   the same as JSON {"slo_url", "SAMLResponse", "RelayState"}
Refused requests get 400 with a plain-text reason.

A valid Response is signed (RSA-SHA256, SHA-256 digest, exclusive c14n) and holds one
EncryptedAssertion: the assertion, signed the same way, encrypted with AES-256-CBC under a key
transported with RSA-OAEP (mgf1p) in EncryptedData/ds:KeyInfo/xenc:EncryptedKey. The person's LoA
must satisfy the request's RequestedAuthnContext, or the answer is a signed
Responder/NoAuthnContext status, whatever the mode. Only the attributes named in the request's
eidas:RequestedAttributes are sent; all of them when it has none.

Modes of /test/respond, each otherwise like valid:
    valid                  as above
    unsigned               neither Response nor Assertion signed; still encrypted
    tampered               signed, then the Response's IssueInstant moved by a second
    wrong_key              signed by the foreign key, its certificate in KeyInfo
    expired                issued 1 h ago; NotOnOrAfter (Conditions, SubjectConfirmationData) 55 min ago
    not_yet_valid          Conditions NotBefore 1 h ahead
    wrong_audience         Audience https://evil.example/sp
    wrong_recipient        Destination and Recipient https://evil.example/acs
    wrong_in_response_to   both InResponseTo a random other ID
    wrong_issuer           Issuer https://evil.example/idp in Response and Assertion, real key
    unencrypted            signed Response holding a signed plain Assertion
    error_status           signed Responder/AuthnFailed status, no assertion (a cancelled login)
    xsw_wrap_response      unsigned Response with the attacker's Assertion, the genuine Response
                           in its Extensions
    xsw_sibling_assertion  genuine Response plus the attacker's plain Assertion before its
                           EncryptedAssertion
    xsw_same_id            the attacker's Assertion takes the ID the signature references; the
                           genuine Response moves into the signature's ds:Object
    xsw_evil_encrypted     genuine Response plus the attacker's unsigned EncryptedAssertion before
                           the genuine one
In the xsw_ modes the genuine response is for the chosen person (jana by default) and the
attacker's assertion is for petr, LoA high.
"""

import base64
import html
import json
import os
import sys
import tempfile
import traceback
import warnings
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit
from urllib.request import ProxyHandler, build_opener
from xml.dom import minidom

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID
from defusedxml import ElementTree

# pysaml2 touches cipher modes that cryptography deprecates; that noise would drown the log.
warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning)

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, VERSION, class_name, saml, samlp  # noqa: E402
from saml2 import xmldsig as ds  # noqa: E402
from saml2 import xmlenc as xenc  # noqa: E402
from saml2.config import IdPConfig  # noqa: E402
from saml2.entity import Entity  # noqa: E402
from saml2.metadata import entity_descriptor  # noqa: E402
from saml2.s_utils import sid  # noqa: E402
from saml2.server import Server  # noqa: E402
from saml2.sigver import (  # noqa: E402
    RSA_OAEP_MGF1P, pem_format, pre_encryption_part, pre_signature_part, security_context)

AES256_CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
EIDAS_EXTENSIONS = "http://eidas.europa.eu/saml-extensions"
NATURAL_PERSON = "http://eidas.europa.eu/attributes/naturalperson"
ATTRNAME_FORMAT_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
PERSON_IDENTIFIER = f"{NATURAL_PERSON}/PersonIdentifier"
GIVEN_NAME = f"{NATURAL_PERSON}/CurrentGivenName"
FAMILY_NAME = f"{NATURAL_PERSON}/CurrentFamilyName"
DATE_OF_BIRTH = f"{NATURAL_PERSON}/DateOfBirth"
CURRENT_ADDRESS = f"{NATURAL_PERSON}/CurrentAddress"
EMAIL = "http://www.stork.gov.eu/1.0/eMail"
LOA_LOW, LOA_SUBSTANTIAL, LOA_HIGH = (f"http://eidas.europa.eu/LoA/{level}" for level in ("low", "substantial", "high"))
LOA_RANKS = [LOA_LOW, LOA_SUBSTANTIAL, LOA_HIGH]
LOA_NAMES = {LOA_LOW: "nízká", LOA_SUBSTANTIAL: "značná", LOA_HIGH: "vysoká"}
# Readable, fixed prefixes instead of pysaml2's ns0, ns1…
NSPAIR = {"samlp": samlp.NAMESPACE, "saml": saml.NAMESPACE, "ds": ds.NAMESPACE, "xenc": xenc.NAMESPACE}


# ----------------------------------------------------------------------------- test persons


@dataclass(frozen=True)
class Person:
    given_name: str
    family_name: str
    birth_date: str
    loa: str
    identifier: str
    email: str | None = None
    # (eIDAS CurrentAddressType element, value) pairs, in schema order
    address: tuple[tuple[str, str], ...] = ()

    def attributes(self) -> dict[str, str]:
        values = {
            PERSON_IDENTIFIER: self.identifier,
            GIVEN_NAME: self.given_name,
            FAMILY_NAME: self.family_name,
            DATE_OF_BIRTH: self.birth_date,
        }
        if self.address:
            # Every element declares the namespace, so each one parses on its own.
            fragment = "".join(
                f'<eidas:{name} xmlns:eidas="{NATURAL_PERSON}">{html.escape(value, quote=False)}</eidas:{name}>'
                for name, value in self.address
            )
            values[CURRENT_ADDRESS] = base64.b64encode(fragment.encode()).decode()
        if self.email:
            values[EMAIL] = self.email
        return values


PERSONS = {
    "jana": Person(
        "Jana", "Dvořáková", "1984-03-07", LOA_SUBSTANTIAL, "CZ/CZ/ff70c9dd-6a05-4c4b-9b67-8d1a5f5e1a01",
        email="jana.dvorakova@example.test",
        address=(("LocatorDesignator", "12"), ("Thoroughfare", "Náměstí Míru"), ("PostName", "Vzorov"),
                 ("PostCode", "55101"), ("CvaddressArea", "Vzorov")),
    ),
    "petr": Person(
        "Petr", "Novák", "1956-11-21", LOA_HIGH, "CZ/CZ/3d1f6a52-8c47-4e0b-a9d2-5b7e6c0f2a17",
        address=(("LocatorDesignator", "5"), ("Thoroughfare", "Dlouhá"), ("PostName", "Praha"),
                 ("PostCode", "11000"), ("CvaddressArea", "Praha")),
    ),
    "lenka": Person(
        "Lenka", "Šťastná", "1999-08-30", LOA_LOW, "CZ/CZ/a6c2e9b1-0f3d-4b58-8e71-c4d9f2b6e803",
        email="lenka.stastna@example.test",
    ),
}
# The person the XSW attacker wants to become.
VICTIM = PERSONS["petr"]


# ----------------------------------------------------------------------------- start-up


@dataclass(frozen=True)
class KeyPair:
    key_file: str
    cert_file: str
    cert_b64: str  # base64 DER, as it goes into ds:X509Certificate


def make_key_pair(directory: str, name: str, common_name: str) -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_file = os.path.join(directory, f"{name}-key.pem")
    cert_file = os.path.join(directory, f"{name}-cert.pem")
    with open(key_file, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    with open(cert_file, "wb") as out:
        out.write(cert.public_bytes(serialization.Encoding.PEM))
    der = cert.public_bytes(serialization.Encoding.DER)
    return KeyPair(key_file, cert_file, base64.b64encode(der).decode())


PORT = int(os.environ["PORT"])
IDP_DIR = os.environ["IDP_DIR"]
BASE_URL = f"http://127.0.0.1:{PORT}"
ENTITY_ID = f"{BASE_URL}/metadata"
# pysaml2 hands every document to xmlsec1 through temporary files: keep them in IDP_DIR.
tempfile.tempdir = IDP_DIR
IDP_KEY = make_key_pair(IDP_DIR, "idp", "Obcan test IdP")
FOREIGN_KEY = make_key_pair(IDP_DIR, "foreign", "Obcan test IdP impostor")


def idp_config(sp_metadata: str | None = None) -> IdPConfig:
    return IdPConfig().load({
        "entityid": ENTITY_ID,
        "key_file": IDP_KEY.key_file,
        "cert_file": IDP_KEY.cert_file,
        "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
        # Verify requests with the SP metadata's certificates only, never one the request brings.
        "only_use_keys_in_metadata": True,
        "service": {"idp": {
            "endpoints": {
                "single_sign_on_service": [(f"{BASE_URL}/sso", BINDING_HTTP_POST),
                                           (f"{BASE_URL}/sso", BINDING_HTTP_REDIRECT)],
                "single_logout_service": [(f"{BASE_URL}/slo", BINDING_HTTP_POST)],
            },
            "want_authn_requests_signed": True,
            "name_id_format": [saml.NAMEID_FORMAT_PERSISTENT],
        }},
    })


def idp_metadata() -> str:
    descriptor = entity_descriptor(idp_config())
    # pysaml2 always advertises every algorithm xmlsec1 knows, MD5 included; NIA does not.
    descriptor.extensions = None
    return descriptor.to_string(nspair={"md": "urn:oasis:names:tc:SAML:2.0:metadata", "ds": ds.NAMESPACE}).decode()


# Signing and encryption need no SP metadata: one security context serves every request.
SEC = security_context(idp_config())
METADATA = idp_metadata()


# ----------------------------------------------------------------------------- requests from SPs


class BadRequest(Exception):
    """Refused with 400; the message is the reason shown to the client."""


# Loopback only: an HTTP(S)_PROXY from the environment must not see these fetches.
FETCHER = build_opener(ProxyHandler({}))


def fetch_sp_metadata(entity_id: str) -> str:
    url = urlsplit(entity_id)
    if url.scheme != "http" or url.hostname not in ("127.0.0.1", "localhost"):
        raise BadRequest(f"unknown SP {entity_id!r}: only http://127.0.0.1 and http://localhost entity IDs are trusted")
    try:
        with FETCHER.open(entity_id, timeout=5) as reply:
            return reply.read().decode()
    except (OSError, ValueError) as error:
        raise BadRequest(f"cannot fetch SP metadata from {entity_id}: {error}") from error


def verified_request(fields: dict[str, str], parse: str) -> tuple[Server, samlp.AuthnRequest | samlp.LogoutRequest]:
    """Checks a request's signature against its issuer's metadata; returns an IdP that knows that SP.

    `parse` names the pysaml2 Server method for the expected message. The binding is
    HTTP-Redirect when the fields carry a detached Signature, else HTTP-POST.
    """
    encoded = required(fields, "SAMLRequest")
    binding = BINDING_HTTP_REDIRECT if "Signature" in fields else BINDING_HTTP_POST
    try:
        unverified = ElementTree.fromstring(Entity.unravel(encoded, binding))
    except Exception as error:
        raise BadRequest(f"SAMLRequest is not a SAML message: {error}") from error
    issuer = (unverified.findtext(f"{{{saml.NAMESPACE}}}Issuer") or "").strip()
    sp_metadata = fetch_sp_metadata(issuer)
    try:
        # A fresh Server per request: the SP's keys may change between tests on the same port.
        idp = Server(config=idp_config(sp_metadata))
    except Exception as error:
        raise BadRequest(f"unusable SP metadata at {issuer}: {error}") from error
    if issuer not in idp.metadata.keys():
        raise BadRequest(f"the metadata at {issuer} does not describe the entity {issuer}")
    try:
        message = getattr(idp, parse)(encoded, binding, relay_state=fields.get("RelayState"),
                                      sigalg=fields.get("SigAlg"), signature=fields.get("Signature")).message
    except Exception as error:
        # pysaml2 wraps the telling reason (missing signature, wrong message type…) in __cause__.
        cause = f", because {error.__cause__!r}" if error.__cause__ else ""
        raise BadRequest(f"request refused (unsigned, badly signed or invalid): {error!r}{cause}") from error
    if binding == BINDING_HTTP_REDIRECT:
        algorithms = [fields["SigAlg"]]
    else:
        signed_info = message.signature.signed_info
        algorithms = [signed_info.signature_method.algorithm, signed_info.reference[0].digest_method.algorithm]
    if set(algorithms) - {ds.SIG_RSA_SHA256, ds.DIGEST_SHA256}:
        raise BadRequest(f"request must be signed with RSA-SHA256 and SHA-256 digests, not {algorithms}")
    return idp, message


def required(fields: dict[str, str], name: str) -> str:
    if not fields.get(name):
        raise BadRequest(f"missing form field {name}")
    return fields[name]


def requested_attributes(request: samlp.AuthnRequest) -> set[str] | None:
    """Names in <samlp:Extensions><eidas:RequestedAttributes>, or None when there is no such list."""
    for element in request.extensions.extension_elements if request.extensions else []:
        if element.namespace == EIDAS_EXTENSIONS and element.tag == "RequestedAttributes":
            return {child.attributes.get("Name") for child in element.children
                    if child.namespace == EIDAS_EXTENSIONS and child.tag == "RequestedAttribute"}
    return None


def loa_satisfies(loa: str, request: samlp.AuthnRequest) -> bool:
    requested = request.requested_authn_context
    if requested is None:
        return True
    ranks = [LOA_RANKS.index(ref.text.strip()) for ref in requested.authn_context_class_ref
             if ref.text and ref.text.strip() in LOA_RANKS]
    if not ranks:
        return False
    have = LOA_RANKS.index(loa)
    return {
        "exact": have in ranks,
        "minimum": have >= min(ranks),
        "better": have > min(ranks),
        "maximum": have <= max(ranks),
    }.get(requested.comparison or "exact", False)


# ----------------------------------------------------------------------------- building responses


@dataclass(frozen=True)
class Login:
    """A verified AuthnRequest and what the SP's metadata says about answering it."""

    request: samlp.AuthnRequest
    acs_url: str
    encryption_cert: str  # base64 DER

    @staticmethod
    def from_fields(fields: dict[str, str]) -> "Login":
        idp, request = verified_request(fields, "parse_authn_request")
        try:
            # Honours the request's AssertionConsumerServiceURL only if the metadata lists it.
            acs_url = idp.response_args(request, [BINDING_HTTP_POST])["destination"]
        except Exception as error:
            raise BadRequest(f"no HTTP-POST AssertionConsumerService matches the request: {error}") from error
        certs = idp.metadata.certs(request.issuer.text.strip(), "spsso", "encryption")
        if not certs:
            raise BadRequest("the SP metadata has no KeyDescriptor use=\"encryption\"")
        return Login(request, acs_url, certs[0][1])

    def envelope(self) -> "Envelope":
        now = datetime.now(timezone.utc).replace(microsecond=0)
        return Envelope(
            issuer=ENTITY_ID,
            destination=self.acs_url,
            in_response_to=self.request.id,
            audience=self.request.issuer.text.strip(),
            issued=now,
            not_before=now - timedelta(minutes=1),
            not_on_or_after=now + timedelta(minutes=5),
        )


@dataclass(frozen=True)
class Envelope:
    """Who says what to whom and for how long: the values the faulty modes bend."""

    issuer: str  # of the Response and the Assertion
    destination: str  # Response Destination and SubjectConfirmationData Recipient
    in_response_to: str  # of the Response and the SubjectConfirmationData
    audience: str
    issued: datetime  # IssueInstant of both, AuthnInstant
    not_before: datetime
    not_on_or_after: datetime  # Conditions and SubjectConfirmationData


def xml_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_xml(element) -> str:
    # Declared UTF-8, or xmlsec1 writes every non-ASCII letter as a character reference.
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + element.to_string(nspair=NSPAIR).decode()


def status(code: str, detail: str | None = None) -> samlp.Status:
    return samlp.Status(status_code=samlp.StatusCode(value=code, status_code=detail and samlp.StatusCode(value=detail)))


def build_assertion(login: Login, person: Person, env: Envelope) -> saml.Assertion:
    wanted = requested_attributes(login.request)
    attributes = [
        saml.Attribute(name=name, name_format=ATTRNAME_FORMAT_URI, friendly_name=name.rsplit("/", 1)[1],
                       attribute_value=[saml.AttributeValue(text=value)])  # str: xsi:type="xs:string"
        for name, value in person.attributes().items()
        if wanted is None or name in wanted
    ]
    return saml.Assertion(
        id=sid(),
        version=VERSION,
        issue_instant=xml_time(env.issued),
        issuer=saml.Issuer(text=env.issuer, format=saml.NAMEID_FORMAT_ENTITY),
        subject=saml.Subject(
            name_id=saml.NameID(format=saml.NAMEID_FORMAT_PERSISTENT, text=person.identifier),
            subject_confirmation=[saml.SubjectConfirmation(
                method=saml.SCM_BEARER,
                subject_confirmation_data=saml.SubjectConfirmationData(
                    recipient=env.destination,
                    in_response_to=env.in_response_to,
                    not_on_or_after=xml_time(env.not_on_or_after),
                ),
            )],
        ),
        conditions=saml.Conditions(
            not_before=xml_time(env.not_before),
            not_on_or_after=xml_time(env.not_on_or_after),
            audience_restriction=[saml.AudienceRestriction(audience=[saml.Audience(text=env.audience)])],
        ),
        authn_statement=[saml.AuthnStatement(
            authn_instant=xml_time(env.issued),
            session_index=sid(),
            authn_context=saml.AuthnContext(authn_context_class_ref=saml.AuthnContextClassRef(text=person.loa)),
        )],
        # The schema wants at least one Attribute in a statement.
        attribute_statement=[saml.AttributeStatement(attribute=attributes)] if attributes else [],
    )


def build_response(env: Envelope, response_status: samlp.Status | None = None) -> samlp.Response:
    return samlp.Response(
        id=sid(),
        version=VERSION,
        issue_instant=xml_time(env.issued),
        destination=env.destination,
        in_response_to=env.in_response_to,
        issuer=saml.Issuer(text=env.issuer, format=saml.NAMEID_FORMAT_ENTITY),
        status=response_status or status(samlp.STATUS_SUCCESS),
    )


def signed(element, key: KeyPair | None, inner=()) -> str:
    """Serializes element with enveloped signatures by key: first on the inner elements, then on itself."""
    if key is None:
        return to_xml(element)
    parts = [*inner, element]
    for part in parts:
        part.signature = pre_signature_part(part.id, key.cert_b64, sign_alg=ds.SIG_RSA_SHA256,
                                            digest_alg=ds.DIGEST_SHA256)
    xml = to_xml(element)
    for part in parts:
        xml = SEC.sign_statement(xml, class_name(part), key_file=key.key_file, node_id=part.id)
    return xml


def encrypt_assertion(login: Login, assertion_xml: str) -> saml.EncryptedAssertion:
    # The assertion is encrypted as a document of its own, so that its plaintext declares every
    # namespace it uses and parses without the enclosing Response.
    template = pre_encryption_part(msg_enc=AES256_CBC, key_enc=RSA_OAEP_MGF1P, encrypt_cert=login.encryption_cert)
    with tempfile.NamedTemporaryFile(suffix=".pem") as cert_file:
        cert_file.write(pem_format(login.encryption_cert))
        cert_file.flush()
        encrypted = SEC.encrypt_assertion(assertion_xml, cert_file.name, template, key_type="aes-256",
                                          node_xpath="/*[local-name()='Assertion']")
    return saml.EncryptedAssertion(encrypted_data=xenc.encrypted_data_from_string(encrypted))


def respond(login: Login, person: Person, env: Envelope, key: KeyPair | None = IDP_KEY, encrypt: bool = True) -> str:
    """A success Response for person as env says, signed by key (unless None), assertion encrypted or not."""
    assertion = build_assertion(login, person, env)
    response = build_response(env)
    if encrypt:
        response.encrypted_assertion = [encrypt_assertion(login, signed(assertion, key))]
        return signed(response, key)
    response.assertion = [assertion]
    return signed(response, key, inner=[assertion])


def error_response(login: Login, detail: str) -> str:
    """A signed Responder status with detail as its second-level code, and no assertion."""
    return signed(build_response(login.envelope(), status(samlp.STATUS_RESPONDER, detail)), IDP_KEY)


# XML surgery for the attacks: minidom keeps prefixes and namespace declarations as they are,
# so the parts still signed keep verifying.


def first_child(parent, namespace: str, local_name: str):
    return next(node for node in parent.childNodes
                if node.namespaceURI == namespace and node.localName == local_name)


def dump(document) -> str:
    return document.toxml(encoding="UTF-8").decode()


def graft(document, xml: str):
    """An element of xml, imported into document."""
    return document.importNode(minidom.parseString(xml).documentElement, True)


# ----------------------------------------------------------------------------- modes


def mode_valid(login: Login, person: Person) -> str:
    return respond(login, person, login.envelope())


def mode_unsigned(login: Login, person: Person) -> str:
    return respond(login, person, login.envelope(), key=None)


def mode_tampered(login: Login, person: Person) -> str:
    env = login.envelope()
    document = minidom.parseString(respond(login, person, env))
    document.documentElement.setAttribute("IssueInstant", xml_time(env.issued + timedelta(seconds=1)))
    return dump(document)


def mode_wrong_key(login: Login, person: Person) -> str:
    return respond(login, person, login.envelope(), key=FOREIGN_KEY)


def mode_expired(login: Login, person: Person) -> str:
    env = login.envelope()
    issued = env.issued - timedelta(hours=1)
    return respond(login, person, replace(env, issued=issued, not_before=issued - timedelta(minutes=1),
                                          not_on_or_after=env.issued - timedelta(minutes=55)))


def mode_not_yet_valid(login: Login, person: Person) -> str:
    env = login.envelope()
    later = env.issued + timedelta(hours=1)
    return respond(login, person, replace(env, not_before=later, not_on_or_after=later + timedelta(minutes=5)))


def mode_wrong_audience(login: Login, person: Person) -> str:
    return respond(login, person, replace(login.envelope(), audience="https://evil.example/sp"))


def mode_wrong_recipient(login: Login, person: Person) -> str:
    return respond(login, person, replace(login.envelope(), destination="https://evil.example/acs"))


def mode_wrong_in_response_to(login: Login, person: Person) -> str:
    return respond(login, person, replace(login.envelope(), in_response_to=sid()))


def mode_wrong_issuer(login: Login, person: Person) -> str:
    return respond(login, person, replace(login.envelope(), issuer="https://evil.example/idp"))


def mode_unencrypted(login: Login, person: Person) -> str:
    return respond(login, person, login.envelope(), encrypt=False)


def mode_error_status(login: Login, person: Person) -> str:
    # What NIA sends when the person cancels the login.
    return error_response(login, samlp.STATUS_AUTHN_FAILED)


def mode_xsw_wrap_response(login: Login, person: Person) -> str:
    # An unsigned Response for the victim carries the genuine signed one in its Extensions.
    env = login.envelope()
    genuine = respond(login, person, env)
    outer = build_response(env)
    outer.assertion = [build_assertion(login, VICTIM, env)]
    document = minidom.parseString(to_xml(outer))
    response = document.documentElement
    extensions = document.createElementNS(samlp.NAMESPACE, "samlp:Extensions")
    extensions.appendChild(graft(document, genuine))
    response.insertBefore(extensions, first_child(response, samlp.NAMESPACE, "Status"))
    return dump(document)


def mode_xsw_sibling_assertion(login: Login, person: Person) -> str:
    env = login.envelope()
    document = minidom.parseString(respond(login, person, env))
    response = document.documentElement
    evil = graft(document, to_xml(build_assertion(login, VICTIM, env)))
    response.insertBefore(evil, first_child(response, saml.NAMESPACE, "EncryptedAssertion"))
    return dump(document)


def mode_xsw_same_id(login: Login, person: Person) -> str:
    # The signature's reference now finds the genuine response inside ds:Object, while the
    # victim's assertion, carrying the same ID, takes its place.
    env = login.envelope()
    document = minidom.parseString(respond(login, person, env))
    response = document.documentElement
    signature = first_child(response, ds.NAMESPACE, "Signature")
    genuine = response.cloneNode(True)
    genuine.removeChild(first_child(genuine, ds.NAMESPACE, "Signature"))
    holder = document.createElementNS(ds.NAMESPACE, "ds:Object")
    holder.appendChild(genuine)
    signature.appendChild(holder)
    response.removeChild(first_child(response, saml.NAMESPACE, "EncryptedAssertion"))
    evil = build_assertion(login, VICTIM, env)
    evil.id = response.getAttribute("ID")
    response.appendChild(graft(document, to_xml(evil)))
    return dump(document)


def mode_xsw_evil_encrypted(login: Login, person: Person) -> str:
    env = login.envelope()
    document = minidom.parseString(respond(login, person, env))
    response = document.documentElement
    evil = encrypt_assertion(login, to_xml(build_assertion(login, VICTIM, env)))
    response.insertBefore(graft(document, to_xml(evil)), first_child(response, saml.NAMESPACE, "EncryptedAssertion"))
    return dump(document)


MODES = {
    "valid": mode_valid,
    "unsigned": mode_unsigned,
    "tampered": mode_tampered,
    "wrong_key": mode_wrong_key,
    "expired": mode_expired,
    "not_yet_valid": mode_not_yet_valid,
    "wrong_audience": mode_wrong_audience,
    "wrong_recipient": mode_wrong_recipient,
    "wrong_in_response_to": mode_wrong_in_response_to,
    "wrong_issuer": mode_wrong_issuer,
    "unencrypted": mode_unencrypted,
    "error_status": mode_error_status,
    "xsw_wrap_response": mode_xsw_wrap_response,
    "xsw_sibling_assertion": mode_xsw_sibling_assertion,
    "xsw_same_id": mode_xsw_same_id,
    "xsw_evil_encrypted": mode_xsw_evil_encrypted,
}


def login_response(fields: dict[str, str], mode: str = "valid") -> tuple[Login, str]:
    """The verified request and the base64 Response to it for the chosen person, built in mode."""
    if mode not in MODES:
        raise BadRequest(f"unknown mode {mode!r}; known: {', '.join(MODES)}")
    person_key = fields.get("person") or "jana"
    if person_key not in PERSONS:
        raise BadRequest(f"unknown person {person_key!r}; known: {', '.join(PERSONS)}")
    login = Login.from_fields(fields)
    person = PERSONS[person_key]
    if loa_satisfies(person.loa, login.request):
        xml = MODES[mode](login, person)
    else:
        xml = error_response(login, samlp.STATUS_NO_AUTHN_CONTEXT)
    return login, base64.b64encode(xml.encode()).decode()


def logout_response(fields: dict[str, str]) -> tuple[str, str]:
    """The SP's SingleLogoutService URL and a base64 signed Success LogoutResponse to its request."""
    if "Signature" in fields:
        raise BadRequest("/slo takes the HTTP-POST binding only")
    idp, request = verified_request(fields, "parse_logout_request")
    try:
        slo_url = idp.response_args(request, [BINDING_HTTP_POST])["destination"]
    except Exception as error:
        raise BadRequest(f"the SP metadata has no HTTP-POST SingleLogoutService: {error}") from error
    response = samlp.LogoutResponse(
        id=sid(),
        version=VERSION,
        issue_instant=xml_time(datetime.now(timezone.utc)),
        destination=slo_url,
        in_response_to=request.id,
        issuer=saml.Issuer(text=ENTITY_ID, format=saml.NAMEID_FORMAT_ENTITY),
        status=status(samlp.STATUS_SUCCESS),
    )
    return slo_url, base64.b64encode(signed(response, IDP_KEY).encode()).decode()


# ----------------------------------------------------------------------------- pages


def page(title: str, body: str) -> str:
    return (f'<!doctype html>\n<html lang="cs">\n<head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title></head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def hidden(fields: dict[str, str | None]) -> str:
    return "".join(f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">\n'
                   for name, value in fields.items() if value is not None)


def login_page(fields: dict[str, str]) -> str:
    login = Login.from_fields(fields)
    choices = "".join(
        f'<div><input type="radio" name="person" id="person-{key}" value="{key}"{" checked" if i == 0 else ""}>'
        f'<label for="person-{key}">{html.escape(p.given_name)} {html.escape(p.family_name)}, '
        f"nar. {p.birth_date} (úroveň záruky {LOA_NAMES[p.loa]})</label></div>\n"
        for i, (key, p) in enumerate(PERSONS.items())
    )
    pending = {name: fields.get(name) for name in ("SAMLRequest", "RelayState", "SigAlg", "Signature")}
    return page("Přihlášení – testovací identita", f"""<h1>Přihlášení testovací identitou</h1>
<p>Služba {html.escape(login.request.issuer.text.strip())} žádá o ověření totožnosti.</p>
<form method="post" action="/sso/login">
<fieldset>
<legend>Vyberte osobu</legend>
{choices}</fieldset>
{hidden(pending)}<button type="submit">Přihlásit</button>
</form>""")


def auto_post_page(url: str, fields: dict[str, str | None]) -> str:
    # Works without the script too: the person presses the button.
    return page("Návrat ke službě", f"""<h1>Návrat ke službě</h1>
<p>Pokud se stránka služby neotevře sama, pokračujte tlačítkem.</p>
<form method="post" action="{html.escape(url)}">
{hidden(fields)}<button type="submit" id="continue">Pokračovat</button>
</form>
<script>document.getElementById("continue").form.submit();</script>""")


# ----------------------------------------------------------------------------- HTTP


HTML = "text/html; charset=utf-8"
JSON = "application/json"


def get_metadata(_fields):
    return 200, "application/samlmetadata+xml", METADATA


def sso(fields):
    return 200, HTML, login_page(fields)


def post_sso_login(fields):
    login, response = login_response(fields)
    return 200, HTML, auto_post_page(login.acs_url, {"SAMLResponse": response, "RelayState": fields.get("RelayState")})


def post_test_respond(fields):
    login, response = login_response(fields, fields.get("mode") or "valid")
    return 200, JSON, json.dumps({"acs_url": login.acs_url, "SAMLResponse": response,
                                  "RelayState": fields.get("RelayState")})


def post_slo(fields):
    slo_url, response = logout_response(fields)
    return 200, HTML, auto_post_page(slo_url, {"SAMLResponse": response, "RelayState": fields.get("RelayState")})


def post_test_logout(fields):
    slo_url, response = logout_response(fields)
    return 200, JSON, json.dumps({"slo_url": slo_url, "SAMLResponse": response, "RelayState": fields.get("RelayState")})


ROUTES = {
    ("GET", "/metadata"): get_metadata,
    ("GET", "/sso"): sso,
    ("POST", "/sso"): sso,
    ("POST", "/sso/login"): post_sso_login,
    ("POST", "/test/respond"): post_test_respond,
    ("POST", "/slo"): post_slo,
    ("POST", "/test/logout"): post_test_logout,
}


class Handler(BaseHTTPRequestHandler):
    server_version = "ObcanTestIdP/1"

    def do_GET(self):
        self.route(urlsplit(self.path).query)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.route(self.rfile.read(length).decode("utf-8", "replace"))

    def route(self, form: str):
        handler = ROUTES.get((self.command, urlsplit(self.path).path))
        if handler is None:
            return self.reply(404, "text/plain; charset=utf-8", "not found\n")
        try:
            self.reply(*handler(dict(parse_qsl(form))))
        except BadRequest as error:
            self.log_message("400: %s", error)
            self.reply(400, "text/plain; charset=utf-8", f"{error}\n")
        except Exception:
            traceback.print_exc()
            self.reply(500, "text/plain; charset=utf-8", "internal error, see the IdP's log\n")

    def reply(self, code: int, content_type: str, body: str):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)


def main():
    try:
        server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    except OSError as error:
        sys.exit(f"cannot listen on 127.0.0.1:{PORT}: {error}")
    print(f"ready {BASE_URL}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
