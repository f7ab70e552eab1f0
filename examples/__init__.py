"""Example run configs, installed as package data (llama_config.examples) so that
`llama-config init --example` works from a pip install as `./dev edit` does from the repository."""
