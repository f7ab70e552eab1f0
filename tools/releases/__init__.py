"""Upstream server releases as installed packages: throwaway environments (envs.py), the release
data generator (generate.py) and the oracle that runs a release's own config loading (oracle.py).

Nothing here is imported by llama-config at run time: the generator writes data files under
model/releases/, and the conformance tests use the oracle."""
