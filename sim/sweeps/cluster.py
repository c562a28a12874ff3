"""Where a sweep's chunks run: in this process, on a LocalCluster, or on a running Dask cluster."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sim.errors import InputError

#: Seconds to wait for a cluster's scheduler to answer.
CONNECT_TIMEOUT_S = 20


def check_cluster(cluster: str | None) -> None:
    """``none`` (or null), ``local`` or a scheduler address ``tcp://HOST:PORT``.

    Raises:
        InputError: anything else.
    """
    if cluster in (None, "none", "local") or (isinstance(cluster, str) and cluster.startswith("tcp://")):
        return
    raise InputError("config", "sweep.cluster", f"unknown cluster {cluster!r}; give none, local or "
                     "tcp://HOST:PORT (a Dask scheduler's address)")


@contextlib.contextmanager
def connected(cluster: str | None, *, workers: int | None = None) -> Iterator[Any]:
    """A `distributed.Client` for ``cluster`` while the block runs (None for ``none``).

    Args:
        cluster: ``none``, ``local`` (a LocalCluster of worker processes started here and stopped
            afterwards) or ``tcp://HOST:PORT``.
        workers: worker processes of a local cluster (None: Dask's default, one per core).

    Raises:
        InputError: the scheduler cannot be reached.
    """
    check_cluster(cluster)
    if cluster in (None, "none"):
        yield None
        return
    import logging

    from distributed import Client, LocalCluster

    # distributed sets its loggers' levels when imported: quiet them after (no line per worker)
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if cluster == "local":
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as local, Client(local) as client:
            yield client
        return
    try:
        client = Client(cluster, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        raise InputError("config", "sweep.cluster",
                         f"cannot reach the scheduler at {cluster} ({exc})") from None
    with client:
        yield client
