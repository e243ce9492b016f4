-- Media-plan workspace (issue 15): versions saved from the editor, each version's approval status, the lines that
-- plan-vs-fact may use (approved or active only), and people's decisions on plan line <-> campaign links.

-- A version saved from the editor records the version it was edited from (0: imported from a file or new).
ALTER TABLE app.media_plans ADD COLUMN IF NOT EXISTS based_on_version UInt32 DEFAULT 0;

-- Status of every committed plan version: its latest app.plan_reviews event, or 'draft' when it has none.
-- Flow: draft -> submitted (pending approval) -> approved -> active -> completed; submitted -> rejected -> draft.
CREATE VIEW IF NOT EXISTS app.media_plan_version_status AS
SELECT
    h.tenant_id AS tenant_id,
    h.client_id AS client_id,
    h.plan_id AS plan_id,
    h.plan_version AS plan_version,
    h.import_id AS import_id,
    h.kind AS kind,
    if(r.last_status = '', 'draft', r.last_status) AS status,
    r.last_login AS status_by,
    r.last_at AS status_at
FROM app.media_plans AS h
LEFT JOIN
(
    SELECT tenant_id, client_id, plan_id, plan_version, argMax(status, at) AS last_status,
        argMax(login, at) AS last_login, max(at) AS last_at
    FROM app.plan_reviews
    GROUP BY tenant_id, client_id, plan_id, plan_version
) AS r
    ON h.tenant_id = r.tenant_id AND h.client_id = r.client_id AND h.plan_id = r.plan_id
    AND h.plan_version = r.plan_version;

-- Lines of each plan's current approved version: the highest version whose status is approved or active.
-- This, not media_plan_lines_current (the latest version whatever its status), feeds plan vs fact; history
-- imports (kind 'history') are past results and never feed it.
CREATE VIEW IF NOT EXISTS app.media_plan_lines_approved AS
SELECT l.*
FROM app.media_plan_lines AS l
INNER JOIN
(
    SELECT tenant_id, client_id, plan_id, argMax(import_id, plan_version) AS import_id
    FROM app.media_plan_version_status
    WHERE status IN ('approved', 'active') AND kind = 'plan'
    GROUP BY tenant_id, client_id, plan_id
) AS a
    ON l.tenant_id = a.tenant_id AND l.client_id = a.client_id AND l.plan_id = a.plan_id AND l.import_id = a.import_id;

-- Who decided a link and why. match_method gains 'utm', 'dates' (suggestion kinds) and 'unlinked': a row with
-- campaign_id '' and match_method 'unlinked' says "this line is deliberately not linked". Once a person has
-- decided anything for a line (a non-deleted row here), these rows replace what the plan file implied.
ALTER TABLE app.campaign_mappings ADD COLUMN IF NOT EXISTS decided_by String DEFAULT '';
ALTER TABLE app.campaign_mappings ADD COLUMN IF NOT EXISTS note String DEFAULT '';
