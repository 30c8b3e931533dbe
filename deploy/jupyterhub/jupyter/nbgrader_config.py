"""nbgrader's configuration for every user of the course hub (found through JUPYTER_CONFIG_PATH).

The hub (deploy/jupyterhub/jupyterhub_config.py) sets the environment this reads:
PMCOURSE_COURSE_ID, PMCOURSE_EXCHANGE, PMCOURSE_COURSE_DIR and PMCOURSE_ROLE.
"""

import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = os.environ.get("PMCOURSE_COURSE_ID", "pm-data-course")
c.Exchange.root = os.environ.get("PMCOURSE_EXCHANGE", "/srv/nbgrader/exchange")

# A submission must hold every released notebook under its released name: a renamed or missing
# notebook is refused at submit, with nbgrader's message naming the missing file.
c.ExchangeSubmit.strict = True

if os.environ.get("PMCOURSE_ROLE") == "instructor":
    # The Formgrader and `nbgrader` commands work on the course folder and its gradebook.
    c.CourseDirectory.root = os.environ.get("PMCOURSE_COURSE_DIR", "/srv/pmcourse")
elif os.environ.get("JUPYTERHUB_USER"):
    # A student submits under their hub name (nbgrader would otherwise use the system user's
    # name, which The Littlest JupyterHub prefixes with "jupyter-").
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
