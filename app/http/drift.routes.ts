import { Router } from 'express';
import type { DriftMonitor } from '../observability/drift-monitor';
import { principalOf, requireRole } from './auth.middleware';

/**
 * `GET /api/v1/admin/drift` (admin): PSI per feature between the active churn model's training
 * rows and the newest scoring batch, worst first; `?refresh=1` recomputes instead of using the
 * report cached for a few minutes. Also refreshes the `se_feature_psi` gauge.
 */
export function driftRouter(monitor: DriftMonitor): Router {
  const router = Router();
  router.get('/admin/drift', requireRole('admin'), async (req, res) => {
    const { tenantId } = principalOf(res);
    const refresh = req.query.refresh === '1' || req.query.refresh === 'true';
    const report = await monitor.report(tenantId, { refresh });
    if (report.status !== 'ok') {
      res.json(report);
      return;
    }
    const bins = req.query.bins === '1' || req.query.bins === 'true';
    res.json({
      ...report,
      features: report.features.map((f) =>
        bins ? f : { feature: f.feature, psi: f.psi, level: f.level, referenceCount: f.referenceCount, currentCount: f.currentCount },
      ),
    });
  });
  return router;
}
