"""The SMS backends: the interface every gateway adapter implements."""

from yishi.people.sms import ConsoleBackend, MemoryBackend, Message, send_sms


def test_send_sms_goes_through_the_configured_backend():
    send_sms("13812345678", "你好")
    assert MemoryBackend.outbox == [Message(phone="13812345678", text="你好")]


def test_the_console_backend_prints_the_message_with_the_number_masked(capsys):
    ConsoleBackend().send(Message(phone="13812345678", text="Your Yishi login code is 123456"))
    printed = capsys.readouterr().out
    assert "138****5678" in printed
    assert "123456" in printed  # the demo's residents read their code there
    assert "13812345678" not in printed
