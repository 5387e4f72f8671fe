"""Downloads that never leave a broken file behind.

A file is fetched from the first of several mirrors that serves it with the expected MD5
checksum. It is written to a temporary file in the target folder, checked, and only then
renamed into place (`os.replace` is atomic), so an interrupted or corrupt download leaves
nothing behind. A progress bar is shown when tqdm is installed.
"""

import contextlib
import hashlib
import http.client
import os
import tempfile
import urllib.request

CHUNK_BYTES = 1 << 16
USER_AGENT = "tinygrad_edu"


def download(filename, folder, mirrors, md5, timeout=30.0, progress=True):
    """Fetch `mirror + filename` into `folder`, trying `mirrors` (base URLs) in order.

    Returns the path of the verified file. Raises RuntimeError listing what went wrong with
    each mirror when none of them delivers a file whose MD5 is `md5`.
    """
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, filename)
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + filename
        try:
            fetch(url, path, md5, timeout=timeout, progress=progress)
        except (OSError, ValueError, http.client.HTTPException) as error:
            failures.append(f"  {url}: {error}")
        else:
            return path
    tried = "\n".join(failures) if failures else "  (the mirror list is empty)"
    raise RuntimeError(f"could not download {filename}:\n{tried}")


def fetch(url, path, md5, timeout=30.0, progress=True):
    """Download one URL to `path` through a temporary file beside it, renamed once verified.

    Raises ValueError when the body is shorter than announced or its MD5 is not `md5`; the
    temporary file is removed whatever goes wrong.
    """
    folder, name = os.path.split(path)
    handle, partial = tempfile.mkstemp(dir=folder or ".", prefix=name + ".", suffix=".part")
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        with (
            os.fdopen(handle, "wb") as out,
            urllib.request.urlopen(request, timeout=timeout) as response,
        ):
            length = response.headers.get("Content-Length")
            total = int(length) if length is not None else None
            received, digest = _copy(response, out, _progress_bar(total, name, progress))
        if total is not None and received != total:
            raise ValueError(f"connection closed after {received} of {total} bytes")
        if digest != md5:
            raise ValueError(f"MD5 mismatch: got {digest}, expected {md5}")
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(partial)
        raise


def _copy(response, out, bar):
    """Stream `response` into `out` chunk by chunk; return (bytes copied, their MD5 hex)."""
    md5 = hashlib.md5(usedforsecurity=False)
    received = 0
    with contextlib.closing(bar):
        while chunk := response.read(CHUNK_BYTES):
            out.write(chunk)
            md5.update(chunk)
            received += len(chunk)
            bar.update(len(chunk))
    return received, md5.hexdigest()


class _NoProgressBar:
    """Stands in for a tqdm bar when tqdm is missing or `progress=False`."""

    def update(self, n):
        pass

    def close(self):
        pass


def _progress_bar(total, name, enabled):
    if not enabled:
        return _NoProgressBar()
    try:
        from tqdm import tqdm
    except ImportError:
        return _NoProgressBar()
    # disable=None: no bar when stderr is not a terminal (no \r-joined redraws in a log)
    return tqdm(total=total, desc=name, unit="B", unit_scale=True, unit_divisor=1024,
                disable=None)
