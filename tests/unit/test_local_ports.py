"""`make local`'s port check: a port is taken only while something listens on it."""

import socket

from devstack.local import _free


def port_left_in_time_wait() -> int:
    """A port whose last connection the server closed first, as a stopped stack's
    servers do: that end waits in TIME_WAIT for a minute, with nothing listening."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = int(listener.getsockname()[1])
    client = socket.create_connection(("127.0.0.1", port))
    served, _ = listener.accept()
    served.close()
    client.close()
    listener.close()
    return port


def test_a_port_left_in_time_wait_by_a_stopped_stack_is_free() -> None:
    assert _free(port_left_in_time_wait())


def test_a_port_something_listens_on_is_in_use() -> None:
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert not _free(int(listener.getsockname()[1]))
