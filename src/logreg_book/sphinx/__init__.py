"""The Sphinx extension that builds the website (named in ``_config.yml``, ``extra_extensions``).

- ``api_reference``: the settings of the API reference (book/api), autodoc on the library;
- ``eval_role``: the ``{eval}`` role, which pastes a glued value on the website;
- ``exec_table``: the Build status table in words;
- ``launch_buttons``: launch and repository buttons only when a repository URL is set;
- ``light_pages``: a light first load (icons as inline SVG, no search index outside search),
  no repeated ids, a named Proof Index;
- ``offline_site``: no script from another site, no console error;
- ``responsive_figures``: phones get each figure's narrow layout; a figure opens full size;
- ``site_layout``: the reading layout (math, figures, print) and the favicon;
- ``solution_code``: a solution's code cell, tagged ``solution-code``, inside its dropdown;
- ``student_pages``: the homework shown as its student edition.
"""
