"""Warm start: a local run's ``advgen`` jobs fork from one process that imported the libraries once.

A job of the default study pays 2.5-4 s before it computes anything: the interpreter, torch,
pandas, pyarrow, matplotlib, TorchDynamo's import on an optimizer's first step. On a local run
(``make run``, ``snakemake --cores N``, with or without ``--resources gpu=N``) the first job
starts a server that imports them once; every later ``advgen`` command of the run is a small
client (:mod:`advgen.warm.client`, the ``advgen`` console script: standard library only) that
hands its arguments, working folder, environment, process state (:mod:`advgen.warm.state`) and
standard streams to the server, which forks a child that becomes the job
(:mod:`advgen.warm.child`); the job reports its exit status back.

* Who may start warm (:mod:`advgen.warm.owner`): the workflow's ``onstart`` exports the running
  Snakemake as the run's owner (``ADVGEN_WARM_OWNER``: host, pid and SLURM job); a job starts
  warm only on the owner's host, in the owner's SLURM job (none on a workstation) and while the
  owner lives. Jobs that SLURM runs (``--profile profiles/slurm``) always start fresh: their
  SLURM job is not the owner's. ``ADVGEN_WARM=0`` makes every job a fresh process.
* Where the server listens (:mod:`advgen.warm.place`): a socket of mode 0600 in a folder of mode
  0700 that belongs to the user, one server per run, working folder, interpreter and
  import-time environment; starting one takes a lock, so two jobs never start two servers.
* What the wire carries (:mod:`advgen.warm.protocol`).
* The server (:mod:`advgen.warm.server`): imports what the jobs import once
  (:mod:`advgen.warm.preload`), never initialises CUDA (each child does its own);
  compares the digest of the advgen sources before each job and restarts itself when they
  changed, so a job never runs new code with old modules; ends with its owner (its running
  jobs get SIGTERM, as a stopped Snakemake gives them) or after an idle timeout.
"""
