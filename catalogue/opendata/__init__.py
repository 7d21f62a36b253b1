"""Open data: what the public may read of the catalogue (versions released openly, as they
were approved) and the shapes in which it is published."""
