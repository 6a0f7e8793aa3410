import { LightningElement, api, wire } from 'lwc';
import { getRecord, getFieldValue } from 'lightning/uiRecordApi';
import LANG from '@salesforce/i18n/lang';
import getCard from '@salesforce/apex/SuccessEngineCardController.getCard';
import sendFeedback from '@salesforce/apex/SuccessEngineCardController.sendFeedback';
import { SCORE_FIELDS, OPPORTUNITY_FIELDS, BAND_WORDS } from './fieldNames';
import { CARD_LABELS, SURFACE_LABELS } from './labels';

const BAND_CLASS = { low: 'slds-theme_success', medium: 'slds-theme_warning', high: 'slds-theme_error', critical: 'slds-theme_error' };

/**
 * Success Engine on Account and Opportunity record pages. The scores written back to the record
 * (read with getRecord, so the card shows at once and without a callout) and the details from our
 * API through the SuccessEngine Named Credential (trend, drivers, what customers say, actions with done/dismiss,
 * freshness, models). English or Chinese, following the user's language.
 */
export default class SuccessEngineCard extends LightningElement {
  @api recordId;
  @api objectApiName;

  record;
  card;
  loading = true;
  detailsFailed = false;
  feedbackFailed = false;
  pendingAction = null;

  lang = String(LANG || 'en')
    .toLowerCase()
    .startsWith('zh')
    ? 'zh'
    : 'en';

  get fieldKeys() {
    return this.objectApiName === 'Opportunity' ? OPPORTUNITY_FIELDS : Object.keys(SCORE_FIELDS);
  }

  get optionalFields() {
    return this.fieldKeys.map((key) => `${this.objectApiName}.${SCORE_FIELDS[key]}`);
  }

  @wire(getRecord, { recordId: '$recordId', optionalFields: '$optionalFields' })
  wiredRecord({ data }) {
    if (data) this.record = data;
  }

  connectedCallback() {
    this.loadCard();
  }

  async loadCard() {
    this.loading = true;
    try {
      this.card = JSON.parse(await getCard({ objectType: this.objectApiName, recordId: this.recordId }));
      this.detailsFailed = false;
    } catch (e) {
      this.detailsFailed = true;
    } finally {
      this.loading = false;
    }
  }

  field(key) {
    if (!this.record || !this.fieldKeys.includes(key)) return null;
    const value = getFieldValue(this.record, `${this.objectApiName}.${SCORE_FIELDS[key]}`);
    return value === undefined ? null : value;
  }

  t(text) {
    return text ? text[this.lang] : '';
  }

  get labels() {
    const out = {};
    for (const [key, text] of Object.entries({ ...CARD_LABELS, ...SURFACE_LABELS })) out[key] = text[this.lang];
    return out;
  }

  /** The API's card when it answered, else the fields written back to the record. */
  get churn() {
    if (this.card && this.card.churn) {
      const c = this.card.churn;
      return { percentText: c.percentText, band: c.band, bandLabel: this.t(c.bandLabel), trend: this.t(c.trend.label) };
    }
    const probability = this.field('churnProbability');
    const band = this.field('riskBand');
    if (probability === null || probability === undefined) return null;
    // As the card contract does: never 0 % or 100 %.
    const p = Number(probability);
    const percentText = p < 0.005 ? '<1%' : p > 0.995 ? '>99%' : `${Math.round(p * 100)}%`;
    return { percentText, band, bandLabel: this.t(BAND_WORDS[band]), trend: '' };
  }

  get hasScore() {
    return this.churn !== null;
  }

  get showEmpty() {
    return !this.loading && !this.hasScore;
  }

  get percentText() {
    return this.churn ? this.churn.percentText : '';
  }

  get bandClass() {
    return `slds-badge ${BAND_CLASS[this.churn && this.churn.band] || ''}`;
  }

  get clv() {
    const c = this.card && this.card.clv;
    if (c)
      return {
        point: c.ifRetained === null || c.ifRetained === undefined ? c.point : c.ifRetained,
        p10: c.p10,
        p90: c.p90,
        currency: c.currency,
        summary: this.t(c.summary),
        retained: c.ifRetained !== null && c.ifRetained !== undefined,
      };
    const point = this.field('clvP50');
    if (point === null) return null;
    return { point, p10: this.field('clvP10'), p90: this.field('clvP90'), currency: this.field('clvCurrency') || 'USD' };
  }

  money(value) {
    if (value === null || value === undefined) return '–';
    try {
      return new Intl.NumberFormat(this.lang === 'zh' ? 'zh-CN' : 'en-US', {
        style: 'currency',
        currency: this.clv.currency,
        maximumFractionDigits: 0,
      }).format(value);
    } catch (e) {
      return `${Math.round(value)} ${this.clv.currency}`;
    }
  }

  get clvText() {
    return this.clv ? this.money(this.clv.point) : '';
  }

  get intervalText() {
    if (!this.clv) return '';
    return this.clv.summary || `${this.labels.interval}: ${this.money(this.clv.p10)} – ${this.money(this.clv.p90)}`;
  }

  get clvLabel() {
    return this.clv && this.clv.retained ? this.labels.ifRetained : this.labels.clv;
  }

  /** "Segment: high value, high risk": from the API's card, else the written-back field ("en / zh"). */
  get segmentText() {
    const colon = this.lang === 'zh' ? '：' : ': ';
    if (this.card && this.card.segment) return `${this.labels.segment}${colon}${this.t(this.card.segment.name)}`;
    const written = this.field('segment');
    if (!written) return '';
    const [en, zh] = String(written).split(' / ');
    return `${this.labels.segment}${colon}${this.lang === 'zh' && zh ? zh : en}`;
  }

  get missingText() {
    return this.card && this.card.churn && this.card.churn.missing ? this.t(this.card.churn.missing) : '';
  }

  get noActionsText() {
    return this.card && this.card.noActionReason ? this.t(this.card.noActionReason) : this.labels.noActions;
  }

  get drivers() {
    if (this.card && this.card.churn) {
      return this.card.churn.drivers.map((d, i) => ({ key: String(i), text: `${d.direction === 'raises' ? '▲' : '▼'} ${this.t(d.text)}` }));
    }
    const lines = this.field(this.lang === 'zh' ? 'topDriversZh' : 'topDriversEn');
    return lines
      ? String(lines)
          .split('\n')
          .filter(Boolean)
          .map((text, i) => ({ key: String(i), text }))
      : [];
  }

  get hasDrivers() {
    return this.drivers.length > 0;
  }

  /** "What customers say" from the API's card; the record's written-back fields carry no text signal. */
  get voice() {
    const v = this.card && this.card.voice;
    if (!v) return null;
    // Chinese takes the full-width colon after a label.
    const colon = this.lang === 'zh' ? '：' : ': ';
    return {
      trend: `${this.labels.voiceTrend}${colon}${this.t(v.trendLabel)}`,
      reasons: v.reasons.map((r, i) => ({ key: String(i), text: this.t(r) })),
      hasReasons: v.reasons.length > 0,
      topics: v.topics.length > 0 ? `${this.labels.voiceTopics}${colon}${v.topics.map((topic) => this.t(topic.text)).join(' · ')}` : '',
      example: v.example ? { label: `${this.labels.voiceExample} · ${this.t(v.example.kindLabel)}`, text: v.example.text } : null,
    };
  }

  get actions() {
    if (this.card) {
      return this.card.actions.map((a) => ({
        actionId: a.actionId,
        title: `${a.rank}. ${this.t(a.title)}`,
        reasons: a.reasons.map((r, i) => ({ key: String(i), text: this.t(r) })),
        canAnswer: true,
        disabled: this.pendingAction !== null,
      }));
    }
    const top = this.field('nextBestAction');
    return top ? [{ actionId: 'written-back', title: top, reasons: [], canAnswer: false, disabled: true }] : [];
  }

  get hasActions() {
    return this.actions.length > 0;
  }

  get freshnessText() {
    if (this.card) return this.t(this.card.freshness.label);
    const at = this.field('scoredAt');
    return at ? `${this.labels.scoredAt}: ${at}` : '';
  }

  get modelText() {
    const parts = [];
    if (this.card && this.card.churn)
      parts.push(`${this.labels.model}: ${this.labels.churn} ${this.card.churn.model.name} ${this.card.churn.model.version}`);
    if (this.card && this.card.clv) parts.push(`${this.labels.clv} ${this.card.clv.model.name} ${this.card.clv.model.version}`);
    const run = (this.card && this.card.modelVersion) || this.field('modelVersion');
    if (run) parts.push(`${this.labels.run} ${run}`);
    return parts.join(' · ');
  }

  handleDone(event) {
    this.answer(event.target.dataset.actionId, 'done');
  }

  handleDismiss(event) {
    this.answer(event.target.dataset.actionId, 'dismissed');
  }

  async answer(actionId, outcome) {
    this.pendingAction = actionId;
    try {
      this.card = JSON.parse(await sendFeedback({ objectType: this.objectApiName, recordId: this.recordId, actionId, outcome }));
      this.feedbackFailed = false;
    } catch (e) {
      this.feedbackFailed = true;
    } finally {
      this.pendingAction = null;
    }
  }
}
