"""doit's md5 file check, with each file's md5 worked out once per run.

Every function's ``build`` task names its ``layer-<arch>.zip`` as a file dependency;
functions that share a layer name links to one file. doit's own ``MD5Checker`` hashes
a dependency for every task that names it, so a clean build of a hundred functions
read the same layer a hundred times. This checker keeps each md5 by the file's
identity (device, inode, size, mtime in ns) for the run, and saves the same state as
doit's (timestamp, size, md5), so a dep file written by either is read by both.
"""

from __future__ import annotations

import os

from doit.dependency import MD5Checker, get_file_md5


class SharedMD5Checker(MD5Checker):
    """``check_file_uptodate`` for genesys's DOIT_CONFIG; see the module docstring."""

    def __init__(self):
        self._md5: dict[tuple[int, int, int, int], str] = {}

    def md5(self, path: str, stat: os.stat_result) -> str:
        key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if key not in self._md5:
            self._md5[key] = get_file_md5(path)
        return self._md5[key]

    def check_modified(self, file_path, file_stat, state):
        timestamp, size, file_md5 = state
        if file_stat.st_mtime == timestamp:
            return False
        if file_stat.st_size != size:
            return True
        return file_md5 != self.md5(file_path, file_stat)

    def get_state(self, dep, current_state):
        stat = os.stat(dep)
        if current_state and current_state[0] == stat.st_mtime:
            return None
        return stat.st_mtime, stat.st_size, self.md5(dep, stat)
