"""Grade on submit for a course run on JupyterHub (`python -m autograder.hub`).

Students submit with nbgrader's exchange (the Assignments tab, or `nbgrader
submit`). The grading service (`service.py`, run by the hub as a managed
service: `deploy/jupyterhub/jupyterhub_config.py`) watches the exchange's
inbound folder and hands every new submission to the cohort pipeline: nbgrader
collects it into `submitted/`, `autograder.cohort` grades it and writes its
feedback, and nbgrader releases the feedback to the exchange, where the student
fetches it. It grades on one Dask cluster that it keeps open from start to stop
(its workers' fork servers included) and closes on SIGINT or SIGTERM. The
service keeps nothing but which submission of each student it last handled
(`grading/hub/state.json`): a submission that arrives while it is down is found
when it starts again, and a resubmission is graded again.
"""
