"""Reading and writing data: NSD's files, the prepared stores, stimulus sets, public inputs."""
