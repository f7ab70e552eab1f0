"""Upstream server releases as installed packages: throwaway environments (envs.py) and the
release data generator (generate.py, which runs extract.py with the release's own interpreter).

Nothing here is imported by llama-config at run time: the generator writes data files under
model/releases/."""
