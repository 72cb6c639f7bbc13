/**
 * Issuing-state codes (ICAO 9303-3 §5: ISO 3166-1 alpha-3 plus ICAO's own codes) mapped to the alpha-2 country
 * a CSCA/DS certificate carries in C=, so the certificate country can be bound to DG1
 * (docs/reference/anchors-emrtd.md §2 pitfall 6).
 */

// ISO 3166-1 (iso-codes), as alpha-3 followed by alpha-2.
const ISO =
  'ABWAW AFGAF AGOAO AIAAI ALAAX ALBAL ANDAD AREAE ARGAR ARMAM ASMAS ATAAQ ATFTF ATGAG AUSAU AUTAT ' +
  'AZEAZ BDIBI BELBE BENBJ BESBQ BFABF BGDBD BGRBG BHRBH BHSBS BIHBA BLMBL BLRBY BLZBZ BMUBM BOLBO ' +
  'BRABR BRBBB BRNBN BTNBT BVTBV BWABW CAFCF CANCA CCKCC CHECH CHLCL CHNCN CIVCI CMRCM CODCD COGCG ' +
  'COKCK COLCO COMKM CPVCV CRICR CUBCU CUWCW CXRCX CYMKY CYPCY CZECZ DEUDE DJIDJ DMADM DNKDK DOMDO ' +
  'DZADZ ECUEC EGYEG ERIER ESHEH ESPES ESTEE ETHET FINFI FJIFJ FLKFK FRAFR FROFO FSMFM GABGA GBRGB ' +
  'GEOGE GGYGG GHAGH GIBGI GINGN GLPGP GMBGM GNBGW GNQGQ GRCGR GRDGD GRLGL GTMGT GUFGF GUMGU GUYGY ' +
  'HKGHK HMDHM HNDHN HRVHR HTIHT HUNHU IDNID IMNIM INDIN IOTIO IRLIE IRNIR IRQIQ ISLIS ISRIL ITAIT ' +
  'JAMJM JEYJE JORJO JPNJP KAZKZ KENKE KGZKG KHMKH KIRKI KNAKN KORKR KWTKW LAOLA LBNLB LBRLR LBYLY ' +
  'LCALC LIELI LKALK LSOLS LTULT LUXLU LVALV MACMO MAFMF MARMA MCOMC MDAMD MDGMG MDVMV MEXMX MHLMH ' +
  'MKDMK MLIML MLTMT MMRMM MNEME MNGMN MNPMP MOZMZ MRTMR MSRMS MTQMQ MUSMU MWIMW MYSMY MYTYT NAMNA ' +
  'NCLNC NERNE NFKNF NGANG NICNI NIUNU NLDNL NORNO NPLNP NRUNR NZLNZ OMNOM PAKPK PANPA PCNPN PERPE ' +
  'PHLPH PLWPW PNGPG POLPL PRIPR PRKKP PRTPT PRYPY PSEPS PYFPF QATQA REURE ROURO RUSRU RWARW SAUSA ' +
  'SDNSD SENSN SGPSG SGSGS SHNSH SJMSJ SLBSB SLESL SLVSV SMRSM SOMSO SPMPM SRBRS SSDSS STPST SURSR ' +
  'SVKSK SVNSI SWESE SWZSZ SXMSX SYCSC SYRSY TCATC TCDTD TGOTG THATH TJKTJ TKLTK TKMTM TLSTL TONTO ' +
  'TTOTT TUNTN TURTR TUVTV TWNTW TZATZ UGAUG UKRUA UMIUM URYUY USAUS UZBUZ VATVA VCTVC VENVE VGBVG ' +
  'VIRVI VNMVN VUTVU WLFWF WSMWS YEMYE ZAFZA ZMBZM ZWEZW ';
/** ICAO 9303-3 codes that are not ISO 3166-1 alpha-3. */
const ICAO_SPECIAL: Record<string, string> = {
  D: 'DE', // Germany writes 'D<<' in the MRZ
  GBD: 'GB',
  GBN: 'GB',
  GBO: 'GB',
  GBP: 'GB',
  GBS: 'GB',
  RKS: 'XK', // Kosovo (no ISO code; XK is the common user-assigned code)
  EUE: 'EU',
  UNO: 'UN',
  UNA: 'UN',
  UNK: 'UN',
  UTO: 'UT', // Utopia, the ICAO specimen state
};

const ALPHA3_TO_ALPHA2 = new Map<string, string>();
for (const tok of ISO.trim().split(/\s+/)) ALPHA3_TO_ALPHA2.set(tok.slice(0, 3), tok.slice(3));
for (const [k, v] of Object.entries(ICAO_SPECIAL)) ALPHA3_TO_ALPHA2.set(k, v);

/** Alpha-2 country for an MRZ issuing state ('VNM' → 'VN', 'D' → 'DE'); fillers '<' are ignored. */
export function issuingStateToAlpha2(state: string): string | undefined {
  const s = state.replace(/</g, '').toUpperCase();
  return ALPHA3_TO_ALPHA2.get(s);
}

/** True when a certificate's C= value denotes the same state as the document's issuing state. */
export function sameCountry(certificateCountry: string, issuingState: string): boolean {
  const c = certificateCountry.trim().toUpperCase();
  const s = issuingState.replace(/</g, '').trim().toUpperCase();
  if (c === s) return true;
  const a2 = issuingStateToAlpha2(s);
  if (a2 !== undefined && a2 === c) return true;
  // Some certificates carry the alpha-3 code in C= (non-conformant but seen).
  return c.length === 3 && a2 !== undefined && issuingStateToAlpha2(c) === a2;
}
