"""Running the lab as several replicas behind a proxy: deploy/replicas.py, deploy/haproxy.cfg."""
