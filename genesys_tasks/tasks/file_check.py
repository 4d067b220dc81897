"""doit's md5 file check, with each file's md5 worked out once per run, that also sees a file's
change time and its executable bit.

Every function's ``build`` task names its ``layer-<arch>.zip`` as a file dependency;
functions that share a layer name links to one file. doit's own ``MD5Checker`` hashes
a dependency for every task that names it, so a clean build of a hundred functions
read the same layer a hundred times. This checker keeps each md5 by the file's
identity (device, inode, size, mtime and ctime in ns) for the run.

doit's check trusts an unchanged mtime. Two changes keep it: ``chmod +x`` (the zip's entry
turns 0755, so the zip must be made again), and an edit that puts the mtime back (``cp -p``,
``rsync -t``, ``touch -r``). Both move the change time, so the saved state is doit's
(timestamp, size, md5) followed by the ctime in ns and the executable bit (what the zip
writer reads of a mode, ``S_IXUSR``): an unchanged mtime, ctime and bit is trusted, anything
else compares size, bit and md5.

A file with more than one name is trusted on its mtime and bit, as doit trusts it: adding or
removing a name moves the ctime, and such a file is a layer zip that genesys links to its
cache and to the functions sharing it, and replaces, never edits. Were its ctime compared,
each function joining the layer would make every no-op hash it again.

doit records which checker saved a task's states and runs the task again when another one
reads them: the class has its own name, so neither this genesys nor an older one (whose states
held three values) reads the other's.
"""

from __future__ import annotations

import os
import stat as stat_

from doit.dependency import MD5Checker, get_file_md5


class ChangeTimeMD5Checker(MD5Checker):
    """``check_file_uptodate`` for genesys's DOIT_CONFIG; see the module docstring."""

    def __init__(self):
        self._md5: dict[tuple[int, int, int, int, int], str] = {}

    def md5(self, path: str, stat: os.stat_result) -> str:
        key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
        if key not in self._md5:
            self._md5[key] = get_file_md5(path)
        return self._md5[key]

    def check_modified(self, file_path, file_stat, state):
        if _same_times(file_stat, state):
            return False
        timestamp, size, file_md5, _, executable = state
        if file_stat.st_size != size or _executable(file_stat) != executable:
            return True
        return file_md5 != self.md5(file_path, file_stat)

    def get_state(self, dep, current_state):
        stat = os.stat(dep)
        if current_state and _same_times(stat, current_state):
            return None
        return stat.st_mtime, stat.st_size, self.md5(dep, stat), stat.st_ctime_ns, _executable(stat)


def _same_times(stat: os.stat_result, state) -> bool:
    """Whether ``stat`` has the mtime, the bit and (for a file of one name) the ctime ``state`` saved."""
    timestamp, _, _, ctime_ns, executable = state
    return (stat.st_mtime == timestamp and _executable(stat) == executable
            and (stat.st_nlink > 1 or stat.st_ctime_ns == ctime_ns))


def _executable(stat: os.stat_result) -> bool:
    return bool(stat.st_mode & stat_.S_IXUSR)
