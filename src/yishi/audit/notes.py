"""Checkpoints as signed notes: the C2SP formats ``signed-note``, ``tlog-checkpoint`` and ``tlog-cosignature``.

A checkpoint says "the record held ``size`` entries, whose tree has this root", signed by the log with an
Ed25519 key; witnesses add their own signature lines (cosignatures) once they have checked it. The formats
are the ones Go's checksum database and Sigstore use, so tools made for them can read Yishi's too.
"""

import base64
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
SIGNATURE_DASH = "\u2014 "


class NoteError(ValueError):
    """A note, key or checkpoint that is not well formed."""


def _public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, kind: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:4]


@dataclass(frozen=True)
class Signer:
    """A named Ed25519 key that signs notes: the log's (``ED25519``) or a witness's (``COSIGNATURE_V1``)."""

    name: str
    key: Ed25519PrivateKey
    kind: int = ED25519

    @property
    def public(self) -> bytes:
        return _public_bytes(self.key.public_key())

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.kind, self.public)

    def verifier_key(self) -> str:
        """The public ``name+hash+key`` line (a C2SP vkey) that verifiers are configured with."""
        return f"{self.name}+{self.id.hex()}+{base64.b64encode(bytes([self.kind]) + self.public).decode()}"

    def private_key(self) -> str:
        """The private key file's one line, in the same shape with ``PRIVATE+KEY+`` in front."""
        seed = self.key.private_bytes_raw()
        return (
            f"PRIVATE+KEY+{self.name}+{self.id.hex()}+{base64.b64encode(bytes([self.kind]) + seed).decode()}"
        )

    def signature_line(self, text: str, timestamp: int | None = None) -> str:
        if self.kind == COSIGNATURE_V1:
            if timestamp is None:
                raise ValueError("a cosignature needs its time")
            stamp = struct.pack(">Q", timestamp)
            signature = stamp + self.key.sign(cosigned_message(text, timestamp))
        else:
            signature = self.key.sign(text.encode())
        return f"{SIGNATURE_DASH}{self.name} {base64.b64encode(self.id + signature).decode()}\n"


def _check_name(name: str) -> None:
    if not name or any(ch.isspace() or ch == "+" for ch in name):
        raise NoteError(f"a key name may hold no space and no '+': {name!r}")


def generate(name: str, kind: int = ED25519) -> Signer:
    _check_name(name)
    return Signer(name, Ed25519PrivateKey.generate(), kind)


def parse_private_key(line: str) -> Signer:
    parts = line.strip().split("+", 4)  # the key's base64 may hold '+'
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("not a private key line (PRIVATE+KEY+name+id+key)")
    name, key_hash, encoded = parts[2], parts[3], parts[4]
    raw = base64.b64decode(encoded, validate=True)
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError("the key is not an Ed25519 key")
    signer = Signer(name, Ed25519PrivateKey.from_private_bytes(raw[1:]), raw[0])
    if signer.id.hex() != key_hash:
        raise NoteError("the key's id does not match its name and key")
    return signer


@dataclass(frozen=True)
class Verifier:
    name: str
    kind: int
    public: bytes

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.kind, self.public)

    def verify(self, text: str, signature: bytes) -> int | None:
        """True-ish (the cosignature's time, or 0) when ``signature`` (without the key id) signs ``text``."""
        key = Ed25519PublicKey.from_public_bytes(self.public)
        try:
            if self.kind == COSIGNATURE_V1:
                if len(signature) != 8 + 64:
                    return None
                (timestamp,) = struct.unpack(">Q", signature[:8])
                key.verify(signature[8:], cosigned_message(text, timestamp))
                return timestamp
            key.verify(signature, text.encode())
            return 0
        except InvalidSignature:
            return None


def parse_verifier_key(vkey: str) -> Verifier:
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError("not a verifier key (name+id+key)")
    name, key_hash, encoded = parts
    _check_name(name)
    raw = base64.b64decode(encoded, validate=True)
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError("the key is not an Ed25519 key")
    verifier = Verifier(name, raw[0], raw[1:])
    if verifier.id.hex() != key_hash:
        raise NoteError("the key's id does not match its name and key")
    return verifier


def cosigned_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[tuple[str, bytes], ...]  # (key name, key id ‖ signature)

    def __str__(self) -> str:
        lines = "".join(
            f"{SIGNATURE_DASH}{name} {base64.b64encode(sig).decode()}\n" for name, sig in self.signatures
        )
        return f"{self.text}\n{lines}"

    def signed_by(self, verifier: Verifier) -> int | None:
        """The verified signature of ``verifier``'s key (its time for a cosignature, else 0), or None."""
        for name, sig in self.signatures:
            if name == verifier.name and sig[:4] == verifier.id:
                return verifier.verify(self.text, sig[4:])
        return None

    def with_signature(self, line: str) -> "Note":
        return Note(self.text, self.signatures + parse(self.text + "\n" + line).signatures)


def sign(text: str, signer: Signer) -> Note:
    if not text.endswith("\n"):
        raise NoteError("a note's text ends with a newline")
    return parse(text + "\n" + signer.signature_line(text))


MAX_SIGNATURES = 64


def parse(note: str) -> Note:
    """Split a signed note into its text and its signature lines; no signature is verified here."""
    if any(ord(ch) < 0x20 and ch != "\n" for ch in note):
        raise NoteError("a note holds no control characters")
    text, sep, block = note.rpartition("\n\n")
    if not sep or not block.endswith("\n"):
        raise NoteError("a note is its text, a blank line, and signature lines")
    signatures = []
    for line in block[:-1].split("\n"):
        if not line.startswith(SIGNATURE_DASH):
            raise NoteError("a signature line starts with an em dash and a space")
        name, _, encoded = line[len(SIGNATURE_DASH) :].partition(" ")
        _check_name(name)
        try:
            sig = base64.b64decode(encoded, validate=True)
        except ValueError as exc:
            raise NoteError("a signature is not base64") from exc
        if len(sig) < 5:
            raise NoteError("a signature is too short")
        signatures.append((name, sig))
    if len(signatures) > MAX_SIGNATURES:
        raise NoteError("too many signatures")
    return Note(text + "\n", tuple(signatures))


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        body = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "".join(f"{line}\n" for line in body)


def parse_checkpoint(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
        raise NoteError("a checkpoint is an origin, a size and a root hash, each on its line")
    origin, size, root = lines[:3]
    if not size.isdigit() or (size != "0" and size.startswith("0")):
        raise NoteError("a checkpoint's size is a decimal number")
    digest = base64.b64decode(root, validate=True)
    if len(digest) != 32:
        raise NoteError("a checkpoint's root is a SHA-256 hash")
    return Checkpoint(origin, int(size), digest, tuple(lines[3:-1]))
