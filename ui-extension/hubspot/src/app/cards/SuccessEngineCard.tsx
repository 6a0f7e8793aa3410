import React, { useCallback, useEffect, useState } from 'react';
import {
  Button,
  ButtonRow,
  Divider,
  EmptyState,
  ErrorState,
  Flex,
  Heading,
  hubspot,
  LineChart,
  List,
  LoadingSpinner,
  Statistics,
  StatisticsItem,
  StatisticsTrend,
  Tag,
  Text,
} from '@hubspot/ui-extensions';
import { API_BASE_URL } from './card-config.generated';
import { CARD_LABELS, SURFACE_LABELS } from './card-labels';
import type { CardViewV1, Lang, Localized } from './card-view.types';

/** The part of `hubspot.fetch` the card uses; tests pass a fake. */
export type CardFetcher = (
  url: string,
  options?: { method?: 'GET' | 'POST'; body?: Record<string, unknown>; timeout?: number },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export interface CardContext {
  user: { locale?: string; language?: string };
  crm: { objectId: number; objectTypeId: string };
}

export interface SuccessEngineCardProps {
  context: CardContext;
  fetcher?: CardFetcher;
  apiBaseUrl?: string;
}

/** HubSpot user locales look like `zh-cn`, `zh-tw`, `en-us`; every Chinese variant gets the Chinese card. */
export function languageOf(user: CardContext['user']): Lang {
  return (user.locale ?? user.language ?? 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

const BAND_TAG: Record<NonNullable<CardViewV1['churn']>['band'], 'success' | 'warning' | 'error'> = {
  low: 'success',
  medium: 'warning',
  high: 'error',
  critical: 'error',
};

function money(value: number, currency: string, lang: Lang): string {
  try {
    return new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-US', { style: 'currency', currency, maximumFractionDigits: 0 }).format(
      value,
    );
  } catch {
    return `${Math.round(value)} ${currency}`;
  }
}

type State = { kind: 'loading' } | { kind: 'failed' } | { kind: 'ready'; card: CardViewV1; feedbackFailed: boolean };

/**
 * The Success Engine card on company and deal records: churn probability with band and trend,
 * lifetime value with its 80% interval, the top drivers, what customers say, next best actions with done/dismiss,
 * freshness and the models behind each value, in the HubSpot user's language (English or Chinese).
 * Data comes from our API through hubspot.fetch, which signs every request.
 */
export function SuccessEngineCard({
  context,
  fetcher = hubspot.fetch as unknown as CardFetcher,
  apiBaseUrl = API_BASE_URL,
}: SuccessEngineCardProps) {
  const lang = languageOf(context.user);
  const t = (text: Localized): string => text[lang];
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [pending, setPending] = useState<string | null>(null);
  const query = `objectType=${encodeURIComponent(context.crm.objectTypeId)}&objectId=${encodeURIComponent(String(context.crm.objectId))}`;

  useEffect(() => {
    let live = true;
    fetcher(`${apiBaseUrl}/crm/hubspot/card?${query}`, { method: 'GET', timeout: 10_000 })
      .then(async (response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const card = (await response.json()) as CardViewV1;
        if (live) setState({ kind: 'ready', card, feedbackFailed: false });
      })
      .catch(() => {
        if (live) setState({ kind: 'failed' });
      });
    return () => {
      live = false;
    };
  }, [fetcher, apiBaseUrl, query]);

  const sendFeedback = useCallback(
    (actionId: string, outcome: 'done' | 'dismissed') => {
      setPending(actionId);
      fetcher(`${apiBaseUrl}/crm/hubspot/card/feedback?${query}`, { method: 'POST', body: { actionId, outcome }, timeout: 10_000 })
        .then(async (response) => {
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          const card = (await response.json()) as CardViewV1;
          setState({ kind: 'ready', card, feedbackFailed: false });
        })
        .catch(() => setState((s) => (s.kind === 'ready' ? { ...s, feedbackFailed: true } : s)))
        .finally(() => setPending(null));
    },
    [fetcher, apiBaseUrl, query],
  );

  if (state.kind === 'loading') return <LoadingSpinner label={t(SURFACE_LABELS.loading)} showLabel={true} layout="centered" />;
  if (state.kind === 'failed') {
    return (
      <ErrorState title={t(CARD_LABELS.title)} testId="se-error">
        <Text>{t(SURFACE_LABELS.failed)}</Text>
      </ErrorState>
    );
  }

  const { card } = state;
  if (!card.churn) {
    return (
      <EmptyState title={t(CARD_LABELS.title)} layout="vertical" testId="se-empty">
        <Text>{t(CARD_LABELS.notScored)}</Text>
      </EmptyState>
    );
  }
  const { churn, clv } = card;
  const trendMoves = churn.trend.direction === 'rising' || churn.trend.direction === 'falling';

  return (
    <Flex direction="column" gap="sm">
      <Statistics>
        <StatisticsItem label={t(CARD_LABELS.churn)} number={churn.percentText} testId="se-churn">
          {trendMoves ? (
            <StatisticsTrend
              direction={churn.trend.direction === 'rising' ? 'increase' : 'decrease'}
              value={`${Math.abs(churn.trend.changePoints)}`}
              color={churn.trend.direction === 'rising' ? 'red' : 'green'}
            />
          ) : null}
        </StatisticsItem>
        {clv ? (
          <StatisticsItem
            label={t(clv.ifRetained !== null ? CARD_LABELS.ifRetained : CARD_LABELS.clv)}
            number={money(clv.ifRetained ?? clv.point, clv.currency, lang)}
            testId="se-clv"
          />
        ) : null}
      </Statistics>
      <Flex direction="row" gap="xs" align="center">
        <Tag variant={BAND_TAG[churn.band]} testId="se-band">
          {t(churn.bandLabel)}
        </Tag>
        <Text variant="microcopy" testId="se-trend">
          {t(churn.trend.label)}
        </Text>
      </Flex>
      {card.segment ? (
        <Text variant="microcopy" testId="se-segment">
          {`${t(CARD_LABELS.segment)}${lang === 'zh' ? '：' : ': '}${t(card.segment.name)}`}
        </Text>
      ) : null}
      {churn.trend.points.length > 1 ? (
        <LineChart
          testId="se-trend-chart"
          data={churn.trend.points.map((p) => ({ computedAt: p.computedAt, percent: Math.round(p.probability * 100) }))}
          axes={{
            x: { field: 'computedAt', fieldType: 'datetime', label: t(SURFACE_LABELS.scoredAt) },
            y: { field: 'percent', fieldType: 'linear', label: t(CARD_LABELS.churn) },
          }}
          options={{ showLegend: false, showTooltips: true }}
        />
      ) : null}
      {clv ? (
        <Text variant="microcopy" testId="se-interval">
          {t(clv.summary)}
        </Text>
      ) : null}

      <Divider />
      <Heading>{t(CARD_LABELS.drivers)}</Heading>
      <List testId="se-drivers">
        {churn.drivers.map((d, i) => (
          <Text key={i}>{`${d.direction === 'raises' ? '▲' : '▼'} ${t(d.text)}`}</Text>
        ))}
      </List>
      {churn.missing ? (
        <Text variant="microcopy" testId="se-missing">
          {t(churn.missing)}
        </Text>
      ) : null}

      {card.voice ? <VoiceSection voice={card.voice} lang={lang} /> : null}

      <Divider />
      <Heading>{t(CARD_LABELS.actions)}</Heading>
      {card.actions.length === 0 ? <Text testId="se-no-actions">{t(card.noActionReason ?? CARD_LABELS.noActions)}</Text> : null}
      {card.actions.map((a) => (
        <Flex key={a.actionId} direction="column" gap="xs" testId={`se-action-${a.actionId}`}>
          <Text format={{ fontWeight: 'demibold' }}>{`${a.rank}. ${t(a.title)}`}</Text>
          {a.reasons.map((r, i) => (
            <Text key={i} variant="microcopy">
              {t(r)}
            </Text>
          ))}
          <ButtonRow>
            <Button
              size="xs"
              variant="primary"
              disabled={pending !== null}
              onClick={() => sendFeedback(a.actionId, 'done')}
              testId={`se-done-${a.actionId}`}
            >
              {t(CARD_LABELS.done)}
            </Button>
            <Button
              size="xs"
              variant="secondary"
              disabled={pending !== null}
              onClick={() => sendFeedback(a.actionId, 'dismissed')}
              testId={`se-dismiss-${a.actionId}`}
            >
              {t(CARD_LABELS.dismiss)}
            </Button>
          </ButtonRow>
        </Flex>
      ))}
      {state.feedbackFailed ? <Text testId="se-feedback-failed">{t(SURFACE_LABELS.feedbackFailed)}</Text> : null}

      <Divider />
      <Text variant="microcopy" testId="se-freshness">
        {t(card.freshness.label)}
      </Text>
      <Text variant="microcopy" testId="se-models">
        {[
          `${t(CARD_LABELS.model)}: ${t(CARD_LABELS.churn)} ${churn.model.name} ${churn.model.version}`,
          clv ? `${t(CARD_LABELS.clv)} ${clv.model.name} ${clv.model.version}` : null,
          card.modelVersion ? `${t(SURFACE_LABELS.run)} ${card.modelVersion}` : null,
        ]
          .filter(Boolean)
          .join(' · ')}
      </Text>
    </Flex>
  );
}

/** "What customers say": sentiment trend, text reasons, top topics with counts and one masked example. */
function VoiceSection({ voice, lang }: { voice: NonNullable<CardViewV1['voice']>; lang: Lang }) {
  const t = (text: Localized): string => text[lang];
  // Chinese takes the full-width colon after a label.
  const colon = lang === 'zh' ? '：' : ': ';
  return (
    <Flex direction="column" gap="xs" testId="se-voice">
      <Divider />
      <Heading>{t(CARD_LABELS.voice)}</Heading>
      <Text testId="se-voice-trend">{`${t(CARD_LABELS.voiceTrend)}${colon}${t(voice.trendLabel)}`}</Text>
      {voice.reasons.length > 0 ? (
        <List testId="se-voice-reasons">
          {voice.reasons.map((r, i) => (
            <Text key={i}>{t(r)}</Text>
          ))}
        </List>
      ) : null}
      {voice.topics.length > 0 ? (
        <Text testId="se-voice-topics">{`${t(CARD_LABELS.voiceTopics)}${colon}${voice.topics.map((topic) => t(topic.text)).join(' · ')}`}</Text>
      ) : null}
      {voice.example ? (
        <Flex direction="column" gap="xs" testId="se-voice-example">
          <Text variant="microcopy">{`${t(CARD_LABELS.voiceExample)} · ${t(voice.example.kindLabel)}`}</Text>
          <Text format={{ italic: true }}>{voice.example.text}</Text>
        </Flex>
      ) : null}
    </Flex>
  );
}

// Registers the card with HubSpot (a no-op outside HubSpot's extension worker, e.g. in tests).
hubspot.extend<'crm.record.tab'>(({ context }) => <SuccessEngineCard context={context} />);

export default SuccessEngineCard;
