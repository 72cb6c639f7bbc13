/**
 * Example screen: type the CAN (6 digits printed on the card), tap "Read", hold the card to the phone. The verdict
 * is shown first; the fields only under an accepted verdict. Nothing read from the card is logged.
 * Not run on a device: see README.md.
 */
import { TrustStore } from '@cccd/emrtd';
import type { NfcLinkEvent } from '@cccd/react-native';
import { useMemo, useRef, useState } from 'react';
import { Button, Platform, SafeAreaView, ScrollView, Text, TextInput } from 'react-native';
import NfcManager, { NfcError, NfcTech } from 'react-native-nfc-manager';
import { type CardOutcome, readCard } from './src/read-card';
import { VIETNAM_CSCA_PEM } from './src/trust';

const STATUS: Record<NfcLinkEvent['kind'], string> = {
  'waiting-for-tag': 'Áp thẻ vào điện thoại… / Hold the card to the phone…',
  connected: 'Đang đọc, giữ yên thẻ… / Reading, keep the card still…',
  'link-down': 'Mất kết nối với thẻ / Lost the card',
};

export default function App() {
  const [can, setCan] = useState('');
  const [status, setStatus] = useState('');
  const [outcome, setOutcome] = useState<CardOutcome | undefined>();
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController | undefined>(undefined);
  const trustStore = useMemo(() => {
    const store = new TrustStore();
    if (VIETNAM_CSCA_PEM) store.addCertificates(VIETNAM_CSCA_PEM);
    return store;
  }, []);

  const onRead = async () => {
    setBusy(true);
    setOutcome(undefined);
    abort.current = new AbortController();
    const result = await readCard(can, {
      nfc: {
        platform: Platform.OS === 'ios' ? 'ios' : 'android',
        nfcManager: NfcManager,
        nfcTech: NfcTech,
        nfcErrors: NfcError,
      },
      trustStore,
      signal: abort.current.signal,
      onEvent: (e) => setStatus(STATUS[e.kind]),
    });
    setCan(''); // the CAN is not kept once used
    setOutcome(result);
    setStatus('');
    setBusy(false);
  };

  return (
    <SafeAreaView>
      <ScrollView contentContainerStyle={{ padding: 16, gap: 12 }}>
        <Text>CAN (6 chữ số trên thẻ / 6 digits on the card)</Text>
        <TextInput
          value={can}
          onChangeText={setCan}
          keyboardType="number-pad"
          maxLength={6}
          secureTextEntry
          editable={!busy}
        />
        <Button
          title={busy ? 'Hủy / Cancel' : 'Đọc thẻ / Read card'}
          onPress={busy ? () => abort.current?.abort() : onRead}
        />
        {status ? <Text>{status}</Text> : null}
        {outcome ? <Result outcome={outcome} /> : null}
      </ScrollView>
    </SafeAreaView>
  );
}

function Result({ outcome }: { outcome: CardOutcome }) {
  if (outcome.kind === 'failed') return <Text>{`${outcome.message.vi} / ${outcome.message.en}`}</Text>;
  return (
    <>
      <Text style={{ fontWeight: 'bold' }}>{`Kết quả / Verdict: ${outcome.verdict}`}</Text>
      {outcome.reasons.map((r) => (
        <Text key={r.en}>{`${r.vi} / ${r.en}`}</Text>
      ))}
      {outcome.document ? (
        <>
          <Text>{outcome.document.fullName ?? ''}</Text>
          <Text>{outcome.document.idNumber ?? ''}</Text>
          <Text>{outcome.document.dateOfBirth ?? ''}</Text>
        </>
      ) : null}
    </>
  );
}
