"""Checkpoints are C2SP signed notes: Go's checksum database and the transparency tools must read ours."""

import base64

import pytest

from yishi.audit import notes

# The example of Go's golang.org/x/mod/sumdb/note, published with the format.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT
    + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_signing_the_go_example_gives_its_note_byte_for_byte():
    signer = notes.parse_private_key(GO_SKEY)
    assert signer.verifier_key() == GO_VKEY
    assert signer.private_key() == GO_SKEY
    assert str(notes.sign(GO_TEXT, signer)) == GO_NOTE


def test_the_go_example_verifies_and_an_altered_text_does_not():
    verifier = notes.parse_verifier_key(GO_VKEY)
    assert notes.parse(GO_NOTE).signed_by(verifier) == 0
    assert notes.parse(GO_NOTE.replace("cryptography", "cryptographY")).signed_by(verifier) is None


def test_a_signature_by_another_key_of_the_same_name_is_not_taken_for_the_known_one():
    other = notes.generate("PeterNeumann")
    forged = notes.sign(GO_TEXT, other)
    assert forged.signed_by(notes.parse_verifier_key(GO_VKEY)) is None


def test_a_checkpoint_reads_back_as_it_was_written():
    root = bytes(range(32))
    checkpoint = notes.Checkpoint("yishi.example/record", 20852163, root)
    assert checkpoint.text() == f"yishi.example/record\n20852163\n{base64.b64encode(root).decode()}\n"
    assert notes.parse_checkpoint(checkpoint.text()) == checkpoint


@pytest.mark.parametrize(
    "text",
    [
        "yishi.example/record\n12\n",  # no root
        "yishi.example/record\n012\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",  # a leading zero
        "yishi.example/record\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        "yishi.example/record\n12\nAAAA\n",  # not a SHA-256
        "yishi.example/record\n12\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",  # no final newline
    ],
)
def test_a_malformed_checkpoint_is_refused(text):
    with pytest.raises((notes.NoteError, ValueError)):
        notes.parse_checkpoint(text)


def test_a_witness_cosignature_verifies_with_its_time_and_not_for_another_checkpoint():
    log = notes.generate("yishi.example/record")
    witness = notes.generate("bureau.example/witness", notes.COSIGNATURE_V1)
    text = notes.Checkpoint("yishi.example/record", 5, bytes(32)).text()
    note = notes.sign(text, log).with_signature(witness.signature_line(text, timestamp=1_790_000_000))
    assert len(note.signatures) == 2
    cosigner = notes.parse_verifier_key(witness.verifier_key())
    assert note.signed_by(cosigner) == 1_790_000_000
    assert note.signed_by(notes.parse_verifier_key(log.verifier_key())) == 0
    other = notes.Checkpoint("yishi.example/record", 6, bytes(32)).text()
    moved = notes.Note(other, note.signatures)
    assert moved.signed_by(cosigner) is None
    # The cosigned message is the header, the time and the checkpoint (c2sp.org/tlog-cosignature).
    assert notes.cosigned_message(text, 7) == f"cosignature/v1\ntime 7\n{text}".encode()


@pytest.mark.parametrize(
    "note",
    [
        GO_TEXT,  # no signature
        GO_TEXT + "\n",
        GO_TEXT + "\nPeterNeumann x08go/ZJk=\n",  # no em dash
        GO_TEXT + "\n— PeterNeumann not*base64\n",
        GO_TEXT + "\n— Peter+Neumann x08go/ZJkuBS9UG/S=\n",  # a '+' in a key name
        "a\x07bell\n\n— PeterNeumann x08go/ZJkuBS9UG/S=\n",
    ],
)
def test_a_malformed_note_is_refused(note):
    with pytest.raises(notes.NoteError):
        notes.parse(note)


@pytest.mark.parametrize(
    "key",
    [
        GO_VKEY.replace("c74f20a3", "c74f20a4"),  # the id does not match
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+AhpcQ==",
    ],
)
def test_a_malformed_verifier_key_is_refused(key):
    with pytest.raises((notes.NoteError, ValueError)):
        notes.parse_verifier_key(key)
