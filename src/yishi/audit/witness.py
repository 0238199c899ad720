"""A witness of the record (C2SP tlog-witness, simplified to a pull): run by someone other than the record's
keeper — the bureau, a street, a newspaper — with its own key and its own small store, never the record's
database.

Each round it reads the record's latest checkpoint, checks the record's signature, and, when the record has
grown since the checkpoint it last cosigned, the consistency proof between the two. Only then it cosigns and
hands the cosignature to the record. A checkpoint that does not extend what it saw before is never cosigned:
both are kept as evidence and the round ends in an alarm.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from . import merkle, notes


class Alarm(Exception):
    """The record showed something a witness must refuse: evidence kept, nothing cosigned."""


class Unreachable(Exception):
    pass


@dataclass
class Store:
    """The witness's memory: the last checkpoint it cosigned, in a JSON file, and an evidence folder."""

    path: Path

    def last(self) -> dict | None:
        return json.loads(self.path.read_text()) if self.path.exists() else None

    def keep(self, origin: str, checkpoint: notes.Checkpoint, note: str) -> None:
        seen = {"origin": origin, "size": checkpoint.size, "root": checkpoint.root.hex(), "note": note}
        scratch = self.path.with_suffix(".tmp")
        scratch.write_text(json.dumps(seen, ensure_ascii=False))
        scratch.replace(self.path)

    def evidence(self, earlier: str, later: str, why: str) -> Path:
        folder = self.path.parent / "evidence"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        found = folder / f"{stamp}.txt"
        found.write_text(f"{why}\n\n--- cosigned before\n{earlier}\n--- shown now\n{later}")
        return found


class Client:
    def __init__(self, base: str, timeout: float = 30):
        if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
            raise ValueError(f"the record's URL must be http or https: {base}")
        self.base = base.rstrip("/") + "/api/v1/audit"
        self.timeout = timeout

    def _open(self, request) -> bytes:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 - configured URL
                return answer.read()
        except urllib.error.HTTPError as exc:
            raise Unreachable(f"{request.full_url}: {exc.code} {exc.read()[:300]!r}") from None
        except (urllib.error.URLError, TimeoutError) as exc:
            raise Unreachable(f"{request.full_url}: {exc}") from None

    def get(self, path: str, **params) -> bytes:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return self._open(urllib.request.Request(f"{self.base}/{path}{query}"))  # noqa: S310 - http(s), checked

    def post(self, path: str, body: dict) -> bytes:
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(f"{self.base}/{path}", data=data, headers=headers, method="POST")  # noqa: S310
        return self._open(request)


def witness_once(client: Client, log: notes.Verifier, signer: notes.Signer, store: Store) -> str:
    """One round; what happened, in a line. Raises ``Alarm`` when the record must not be cosigned."""
    shown = client.get("checkpoint").decode()
    try:
        note = notes.parse(shown)
        checkpoint = notes.parse_checkpoint(note.text)
    except notes.NoteError as exc:
        raise Alarm(f"the record's checkpoint is not well formed: {exc}") from exc
    if note.signed_by(log) is None:
        raise Alarm("the record's checkpoint is not signed by the record's key")
    if checkpoint.origin != log.name:
        raise Alarm(f"the checkpoint is of {checkpoint.origin}, not {log.name}")
    last = store.last()
    if last is not None:
        if last["origin"] != checkpoint.origin:
            raise Alarm(f"this witness's store is for {last['origin']}, not {checkpoint.origin}")
        old_size, old_root = last["size"], bytes.fromhex(last["root"])
        if checkpoint.size < old_size:
            found = store.evidence(last["note"], shown, "the record shrank")
            raise Alarm(f"the record shrank from {old_size} to {checkpoint.size} entries (evidence: {found})")
        if checkpoint.size == old_size:
            if checkpoint.root != old_root:
                found = store.evidence(last["note"], shown, "two roots for one size")
                raise Alarm(f"the record shows another root for {old_size} entries (evidence: {found})")
            return f"nothing new: {checkpoint.size} entries"
        answer = json.loads(client.get("proof/consistency", old=old_size, size=checkpoint.size))
        proof = [bytes.fromhex(h) for h in answer["proof"]]
        if not merkle.verify_consistency(old_size, checkpoint.size, old_root, checkpoint.root, proof):
            found = store.evidence(last["note"], shown, "not consistent")
            raise Alarm(
                f"the record at {checkpoint.size} does not extend the one cosigned at {old_size} (evidence: {found})"
            )
    line = signer.signature_line(note.text, timestamp=int(time.time()))
    client.post("cosignatures", {"size": checkpoint.size, "signature": line.rstrip("\n")})
    store.keep(checkpoint.origin, checkpoint, shown)
    return f"cosigned {checkpoint.size} entries"
