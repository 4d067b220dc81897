"""Building artifacts: dependency layers and function zips, on this machine or in containers.

No AWS calls happen here. The pieces:

- ``zipper``    deterministic zips (sorted, 1980 timestamps, normalised modes) and
                the function's source file list (the package task's inputs).
- ``layer``     one layer build: cache lookup by content key, else an installer
                fills a folder that is zipped and stored in the cache; a function's
                layer zip is a hard link to its cache entry.
- ``installers``the per-language, per-method installers. Each is a function
                ``install(job: InstallJob) -> None`` that fills ``job.target`` with
                the layer tree (``python/…``, ``nodejs/node_modules/…``), plus
                ``version(job) -> str`` for the cache key. Local ones live in
                ``local_python`` and ``local_node``; container ones in ``container``.
- ``cache``     the content-addressed layer cache shared by every function and repo.
- ``limits``    Lambda's size limits, checked before anything is uploaded.
- ``hooks``     pre/post build shell commands.
- ``steps``     the actions behind the doit tasks (layer, pre_build, package, build).
- ``package``   which files a function zip carries, and the per-language packagers
                (``golang``: a static ``bootstrap``; ``java``: Maven or Gradle).
- ``lockfiles`` Python lock files turned into a pinned requirements.txt.
- ``build_commands`` the installer for runtimes that list their own ``build_commands``.
- ``toolrun``   running a build tool or an installer command, with its output kept
                for the error message; the build's one ``--debug`` switch.
"""
