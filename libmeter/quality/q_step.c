/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One measuring period: voltage events per phase (sag, swell, missing),
 * current without voltage, the conditions of the whole meter (phase
 * sequence, missing neutral, asymmetry, current reversal, power factor,
 * phase bypass) and the weekly voltage quality (EN 50160 style).
 *
 * Event codes and names: the seed's event-codes.csv (seed 001 Table 10 and
 * the §5.7.2 power-quality list; 90 is the IDIS number the reference file
 * supplies for "Phase asymmetry").
 */
#include "q_priv.h"

static const char *const sag_name[MTR_QUALITY_PHASES] = {
    "Undervoltage (sag) L1", "Undervoltage (sag) L2", "Undervoltage (sag) L3"};
static const char *const swell_name[MTR_QUALITY_PHASES] = {
    "Overvoltage (swell) L1", "Overvoltage (swell) L2", "Overvoltage (swell) L3"};
static const char *const missing_name[MTR_QUALITY_PHASES] = {
    "Missing voltage L1", "Missing voltage L2", "Missing voltage L3"};
static const char *const normal_name[MTR_QUALITY_PHASES] = {
    "Voltage L1 normal", "Voltage L2 normal", "Voltage L3 normal"};
static const char *const cwv_name[MTR_QUALITY_PHASES] = {
    "Current without voltage L1", "Current without voltage L2", "Current without voltage L3"};
static const char *const bvq_name[MTR_QUALITY_PHASES] = {
    "Bad voltage quality L1", "Bad voltage quality L2", "Bad voltage quality L3"};

static const struct {
    uint16_t code;
    const char *name;
} g_event[Q_G_COUNT] = {
    {88, "Phase sequence reversal"},
    {89, "Missing neutral"},
    {90, "Phase asymmetry"},
    {91, "Current reversal"},
    {214, "Power factor under limit"},
    {215, "Power factor over limit"},
    {251, "Phase bypass with neutral present"},
};

/* ------------------------------------------------------------ detectors */

/*
 * Advance a condition detector by one period of @p p ms. @p set: the
 * condition holds; @p clear: it is clearly gone (with @p set and @p clear
 * both false the period says nothing and breaks any run).
 * Returns 1 when the condition is declared, -1 when it ends, else 0.
 */
static int det_step(struct mtr_quality_det *d, bool set, bool clear, uint32_t p,
                    uint32_t declare_ms, uint32_t normal_ms)
{
    bool toward = d->active ? clear : set;

    if (!toward) {
        d->run_ms = 0;
        return 0;
    }
    d->run_ms += p;
    if (d->run_ms < (d->active ? normal_ms : declare_ms)) {
        return 0;
    }
    d->run_ms = 0;
    d->active = (uint8_t)!d->active;
    return d->active ? 1 : -1;
}

static void extreme_update(struct mtr_quality_vdet *v, mtr_mv_t u, bool low)
{
    if (low ? u < v->extreme : u > v->extreme) {
        v->extreme = u;
    }
}

/*
 * Voltage event detector: like det_step, and keeps the event's start, last
 * period, measured time and extreme voltage. Periods of a return run that
 * breaks off belong to the event again.
 */
static int vdet_step(struct mtr_quality_vdet *v, bool in, bool clear, mtr_mv_t u, bool low,
                     uint32_t p, mtr_utc_t utc, uint32_t declare_ms, uint32_t normal_ms)
{
    struct mtr_quality_det *d = &v->d;

    if (!d->active) {
        if (!in) {
            d->run_ms = 0;
            return 0;
        }
        if (d->run_ms == 0) {
            v->start = utc - (mtr_utc_t)(p / 1000u);
            v->ev_ms = 0;
            v->extreme = u;
        }
        v->ev_ms = q_add(v->ev_ms, p);
        v->last = utc;
        extreme_update(v, u, low);
        return det_step(d, true, false, p, declare_ms, normal_ms);
    }
    if (clear) {
        return det_step(d, false, true, p, declare_ms, normal_ms);
    }
    v->ev_ms = q_add(v->ev_ms, (uint64_t)d->run_ms + p);
    d->run_ms = 0;
    v->last = utc;
    extreme_update(v, u, low);
    return 0;
}

void q_vevent_end(struct mtr_quality *q, uint8_t phase, uint8_t kind, mtr_utc_t end)
{
    struct mtr_quality_vdet *v = &q->s.v[phase][kind];
    struct mtr_quality_record rec;

    v->d.active = 0;
    v->d.run_ms = 0;
    q->s.total_ms[phase][kind] = q_add(q->s.total_ms[phase][kind], v->ev_ms);
    if (q->cfg->on_voltage_record != NULL) {
        rec.kind = kind;
        rec.phase = phase;
        rec.start = v->start;
        rec.end = end;
        rec.duration_s = v->ev_ms / 1000u;
        rec.extreme_mv = v->extreme;
        q->cfg->on_voltage_record(q->cfg->user, &rec);
    }
}

/* --------------------------------------------------------------- phases */

/* u x 1000 compared with Un x per mille: exact, no rounding. */
static int64_t scaled(const struct mtr_quality *q, uint32_t permille)
{
    return (int64_t)q->cfg->un_mv * permille;
}

static void phase_step(struct mtr_quality *q, uint8_t p, const struct mtr_quality_phase_input *ph,
                       uint32_t period, mtr_utc_t utc)
{
    const struct mtr_quality_settings *set = &q->s.set;
    uint32_t hyst = set->hysteresis_permille;
    uint32_t declare_ms = set->event_s * 1000u, missing_ms = set->missing_s * 1000u;
    uint32_t normal_ms = set->normal_s * 1000u, detect_ms = set->detect_s * 1000u;
    int64_t u = (int64_t)ph->u_mv * 1000;
    struct mtr_quality_vdet *v;
    bool below_missing = u < scaled(q, set->missing_permille);
    bool cwv;
    int r;

    /* missing voltage: 82..84, return 85..87 (value: duration, s) */
    v = &q->s.v[p][MTR_QUALITY_MISSING];
    r = vdet_step(v, below_missing, u >= scaled(q, set->missing_permille + hyst), ph->u_mv, true,
                  period, utc, missing_ms, normal_ms);
    if (r > 0) {
        q->s.count[p][MTR_QUALITY_MISSING]++;
        q_emit(q, (uint16_t)(82u + p), missing_name[p], utc, v->extreme);
    } else if (r < 0) {
        q_vevent_end(q, p, MTR_QUALITY_MISSING, v->last);
        q_emit(q, (uint16_t)(85u + p), normal_name[p], utc, (int64_t)(v->ev_ms / 1000u));
    }

    /* sag: 76..78 (value: lowest Urms so far, mV) */
    v = &q->s.v[p][MTR_QUALITY_SAG];
    r = vdet_step(v, u < scaled(q, set->sag_permille), u >= scaled(q, set->sag_permille + hyst),
                  ph->u_mv, true, period, utc, declare_ms, normal_ms);
    if (r > 0) {
        q->s.count[p][MTR_QUALITY_SAG]++;
        q_emit(q, (uint16_t)(76u + p), sag_name[p], utc, v->extreme);
    } else if (r < 0) {
        q_vevent_end(q, p, MTR_QUALITY_SAG, v->last);
    }

    /* swell: 79..81 (value: highest Urms so far, mV) */
    v = &q->s.v[p][MTR_QUALITY_SWELL];
    r = vdet_step(v, u > scaled(q, set->swell_permille), u <= scaled(q, set->swell_permille - hyst),
                  ph->u_mv, false, period, utc, declare_ms, normal_ms);
    if (r > 0) {
        q->s.count[p][MTR_QUALITY_SWELL]++;
        q_emit(q, (uint16_t)(79u + p), swell_name[p], utc, v->extreme);
    } else if (r < 0) {
        q_vevent_end(q, p, MTR_QUALITY_SWELL, v->last);
    }

    /* current without voltage: 228..230 (value: Irms, mA) */
    cwv = below_missing && ph->i_ma >= set->i_min_ma;
    if (det_step(&q->s.cwv[p], cwv, !cwv, period, detect_ms, normal_ms) > 0) {
        q_emit(q, (uint16_t)(228u + p), cwv_name[p], utc, ph->i_ma);
    }
}

/* ---------------------------------------------------------- whole meter */

/* Values of one period that several global conditions use. */
struct q_view {
    bool all_present;   /* every phase at or above the missing threshold */
    int64_t unbalance3; /* max |3 Ui - sum U|, mV */
    int64_t usum;       /* sum of the phase voltages, mV */
    mtr_ma_t imax, imin;
    int64_t isum;       /* sum of the phase currents, mA */
    bool loaded;        /* some phase carries current */
    uint8_t exporting;  /* phases exporting with current (bits) */
    bool importing;     /* some phase importing with current */
};

static void view_of(const struct mtr_quality *q, const struct mtr_quality_input *in,
                    struct q_view *w)
{
    const struct mtr_quality_settings *set = &q->s.set;
    uint8_t n = q->cfg->phases;

    w->all_present = true;
    w->usum = 0;
    w->unbalance3 = 0;
    w->imax = 0;
    w->imin = MTR_QUALITY_I_MAX_MA;
    w->isum = 0;
    w->loaded = false;
    w->exporting = 0;
    w->importing = false;
    for (uint8_t p = 0; p < n; p++) {
        const struct mtr_quality_phase_input *ph = &in->ph[p];
        bool carries = ph->i_ma >= set->i_min_ma;
        if ((int64_t)ph->u_mv * 1000 < scaled(q, set->missing_permille)) {
            w->all_present = false;
        }
        w->usum += ph->u_mv;
        w->isum += ph->i_ma;
        w->imax = ph->i_ma > w->imax ? ph->i_ma : w->imax;
        w->imin = ph->i_ma < w->imin ? ph->i_ma : w->imin;
        w->loaded = w->loaded || carries;
        if (carries && ph->p_mw < 0) {
            w->exporting |= (uint8_t)(1u << p);
        }
        if (carries && ph->p_mw > 0) {
            w->importing = true;
        }
    }
    for (uint8_t p = 0; p < n; p++) {
        int64_t dev = 3 * (int64_t)in->ph[p].u_mv - w->usum;
        dev = dev < 0 ? -dev : dev;
        w->unbalance3 = dev > w->unbalance3 ? dev : w->unbalance3;
    }
}

static void global_step(struct mtr_quality *q, const struct mtr_quality_input *in, mtr_utc_t utc)
{
    const struct mtr_quality_settings *set = &q->s.set;
    uint32_t p = in->period_ms, detect_ms = set->detect_s * 1000u;
    uint32_t normal_ms = set->normal_s * 1000u;
    bool three = q->cfg->phases == 3;
    bool set_[Q_G_COUNT], clear[Q_G_COUNT];
    int64_t value[Q_G_COUNT];
    int64_t apf = in->pf < 0 ? -(int64_t)in->pf : in->pf;
    bool asym_eval, asym, neutral;
    struct q_view w;

    view_of(q, in, &w);

    /* 88: the metrology's sequence; only a three-phase meter has one */
    set_[Q_G_SEQUENCE] = three && in->sequence < 0;
    clear[Q_G_SEQUENCE] = three && in->sequence > 0;
    value[Q_G_SEQUENCE] = in->sequence;

    /* 90: unbalance = largest deviation from the mean / mean (NEMA MG 1
     * phase voltage unbalance rate), evaluated with every phase present */
    asym_eval = three && w.all_present && w.usum > 0;
    asym = asym_eval && w.unbalance3 * 1000 > (int64_t)set->unbalance_permille * w.usum;
    set_[Q_G_ASYMMETRY] = asym;
    clear[Q_G_ASYMMETRY] = asym_eval && !asym;
    value[Q_G_ASYMMETRY] = w.usum > 0 ? w.unbalance3 * 1000 / w.usum : 0;

    /* 89: an unbalanced load whose neutral current is absent (below a
     * quarter of Imax - Imin, where a connected neutral carries at least
     * 0.87 of it for loads of equal power factor) while the star point has
     * moved (voltages unbalanced); or an external detector */
    neutral = three && asym && w.imax - w.imin >= set->neutral_unbalance_ma &&
              (int64_t)in->in_ua * 4 < (int64_t)(w.imax - w.imin) * 1000;
    set_[Q_G_NEUTRAL] = neutral || in->neutral_lost;
    clear[Q_G_NEUTRAL] = !set_[Q_G_NEUTRAL];
    value[Q_G_NEUTRAL] = in->in_ua;

    /* 91: a phase exporting while another imports; with the option, any
     * exporting phase (value: mask of the exporting phases) */
    set_[Q_G_REVERSAL] = w.exporting != 0 &&
                         (w.importing || (set->options & MTR_QUALITY_OPT_REVERSAL_ANY) != 0);
    clear[Q_G_REVERSAL] = !set_[Q_G_REVERSAL];
    value[Q_G_REVERSAL] = w.exporting;

    /* 214/215: |total PF| against the limits, only with current flowing */
    set_[Q_G_PF_UNDER] = w.loaded && apf < set->pf_under;
    clear[Q_G_PF_UNDER] = w.loaded && apf >= set->pf_under;
    value[Q_G_PF_UNDER] = in->pf;
    set_[Q_G_PF_OVER] = w.loaded && apf > set->pf_over;
    clear[Q_G_PF_OVER] = w.loaded && apf <= set->pf_over;
    value[Q_G_PF_OVER] = in->pf;

    /* 251: a measured neutral current above the sum of the phase currents
     * (by 1/8 and by i_min): current returns that never passed a phase
     * element */
    set_[Q_G_BYPASS] = in->in_measured &&
                       (int64_t)in->in_ua >= (w.isum + set->i_min_ma) * 1000 &&
                       (int64_t)in->in_ua * 8 > w.isum * 9000;
    clear[Q_G_BYPASS] = in->in_measured && !set_[Q_G_BYPASS];
    value[Q_G_BYPASS] = in->in_ua;

    for (unsigned g = 0; g < Q_G_COUNT; g++) {
        if (det_step(&q->s.g[g], set_[g], clear[g], p, detect_ms, normal_ms) > 0) {
            q_emit(q, g_event[g].code, g_event[g].name, utc, value[g]);
        }
    }
}

/* ---------------------------------------------- bad voltage quality */

/* Close the 10-minute interval: its mean counts if half of it was measured. */
static void bvq_close(struct mtr_quality *q)
{
    struct mtr_quality_saved *s = &q->s;

    for (uint8_t p = 0; p < q->cfg->phases; p++) {
        if (s->bvq_ms[p] >= 300000u) {
            int64_t mean = s->bvq_sum[p] / s->bvq_ms[p];
            int64_t dev = mean - q->cfg->un_mv;
            dev = dev < 0 ? -dev : dev;
            if (s->bvq_valid[p] < UINT16_MAX) {
                s->bvq_valid[p]++;
                if (dev * 1000 > scaled(q, s->set.bvq_band_permille)) {
                    s->bvq_bad[p]++;
                }
            }
        }
        s->bvq_sum[p] = 0;
        s->bvq_ms[p] = 0;
    }
}

/* End of a window: bad when more than the allowed share of its means were
 * outside the band, judged if at least half of its means were measured. */
static void bvq_evaluate(struct mtr_quality *q, mtr_utc_t utc)
{
    struct mtr_quality_saved *s = &q->s;
    uint32_t need = 72u * s->set.bvq_days;

    for (uint8_t p = 0; p < q->cfg->phases; p++) {
        uint32_t valid = s->bvq_valid[p], bad = s->bvq_bad[p];
        if (valid >= need && bad * 1000u > (uint32_t)s->set.bvq_share_permille * valid) {
            q_emit(q, (uint16_t)(92u + p), bvq_name[p], utc, bad);
        }
        s->bvq_valid[p] = 0;
        s->bvq_bad[p] = 0;
    }
}

static void bvq_step(struct mtr_quality *q, const struct mtr_quality_input *in, mtr_utc_t utc)
{
    struct mtr_quality_saved *s = &q->s;
    int64_t interval, window;

    if (s->set.bvq_days == 0) {
        return;
    }
    /* 10-minute intervals on the UTC clock (IEC 61000-4-30 class S);
     * windows of bvq_days days from 1970-01-05, a Monday, 00:00 UTC */
    interval = utc / 600;
    window = (utc + 3 * 86400) / ((int64_t)s->set.bvq_days * 86400);
    if (s->bvq_interval < 0) {
        s->bvq_interval = interval;
        s->bvq_window = window;
    } else if (interval != s->bvq_interval) {
        bvq_close(q);
        if (window != s->bvq_window) {
            bvq_evaluate(q, utc);
            s->bvq_window = window;
        }
        s->bvq_interval = interval;
    }
    for (uint8_t p = 0; p < q->cfg->phases; p++) {
        /* a missing phase is not measured (it has its own events) */
        if ((int64_t)in->ph[p].u_mv * 1000 >= scaled(q, s->set.missing_permille) &&
            s->bvq_ms[p] + in->period_ms <= Q_BVQ_MS_MAX) {
            s->bvq_sum[p] += (int64_t)in->ph[p].u_mv * in->period_ms;
            s->bvq_ms[p] += in->period_ms;
        }
    }
}

/* ----------------------------------------------------------------- step */

static bool input_ok(const struct mtr_quality *q, const struct mtr_quality_input *in)
{
    if (in->period_ms < 1 || in->period_ms > MTR_QUALITY_PERIOD_MAX_MS || in->pf < -MTR_PF_ONE ||
        in->pf > MTR_PF_ONE || in->sequence < -1 || in->sequence > 1) {
        return false;
    }
    for (uint8_t p = 0; p < q->cfg->phases; p++) {
        if (in->ph[p].u_mv < 0 || in->ph[p].u_mv > MTR_QUALITY_U_MAX_MV || in->ph[p].i_ma < 0 ||
            in->ph[p].i_ma > MTR_QUALITY_I_MAX_MA) {
            return false;
        }
    }
    return true;
}

mtr_err_t mtr_quality_step(struct mtr_quality *q, const struct mtr_quality_input *in,
                           mtr_utc_t utc)
{
    MTR_ASSERT(q != NULL && in != NULL);
    if (utc < 0 || utc > MTR_QUALITY_UTC_MAX || !input_ok(q, in)) {
        return MTR_ERR_QUALITY_INPUT;
    }
    if (q->s.down) {
        return MTR_ERR_QUALITY_STATE;
    }
    for (uint8_t p = 0; p < q->cfg->phases; p++) {
        phase_step(q, p, &in->ph[p], in->period_ms, utc);
    }
    global_step(q, in, utc);
    bvq_step(q, in, utc);
    return MTR_OK;
}
