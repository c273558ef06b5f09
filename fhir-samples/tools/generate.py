#!/usr/bin/env python3
"""Writes the anakinra-cds FHIR R4 sample bundles, their expected order-sign cards and the README.

    python3 fhir-samples/tools/generate.py           # rewrite fhir-samples/*.json, expected/, README.md
    python3 fhir-samples/tools/generate.py --check   # only compare: exit 1 when a file would change

The JSON files are what the tests read; this script is how they are kept consistent (ids, the
reference time, goldens sorted by code then indicator, the README table). Edit the samples here.
It also checks that every coded concept with a clinical meaning is in hooks/knowledge/codes.json.
"""
import json, os, sys

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
CODES_JSON = os.path.join(OUT, '..', 'hooks', 'knowledge', 'codes.json')
REF = '2026-11-20T09:00:00Z'
SCT = 'http://snomed.info/sct'
RX = 'http://www.nlm.nih.gov/research/umls/rxnorm'
LOINC = 'http://loinc.org'
CVX = 'http://hl7.org/fhir/sid/cvx'
ICD = 'http://hl7.org/fhir/sid/icd-10-cm'
UCUM = 'http://unitsofmeasure.org'
TAG = 'urn:anakinra-cds:sample'

# Concepts used in the samples; every code with a clinical meaning is in hooks/knowledge/codes.json.
CONCEPTS = {
    'anakinra': {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "72435", "display": "anakinra"}], "text": "anakinra 100 MG/0.67 ML Prefilled Syringe [Kineret]"},
    'adalimumab': {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "327361", "display": "adalimumab"}], "text": "adalimumab 40 MG/0.4 ML Prefilled Syringe"},
    'etanercept': {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "214555", "display": "etanercept"}], "text": "etanercept 50 MG/ML Prefilled Syringe"},
    'infliximab': {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "191831", "display": "infliximab"}], "text": "infliximab 100 MG Injection"},
    # canakinumab has no verified RxNorm code (reference/verified-codes.md): identified by its name.
    'canakinumab': {"text": "canakinumab 150 MG/ML Injection [Ilaris]"},
    'methotrexate': {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "6851", "display": "methotrexate"}], "text": "methotrexate 2.5 MG Oral Tablet"},
    'folic-acid': {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "4511", "display": "folic acid"}], "text": "folic acid 1 MG Oral Tablet"},
    'amoxicillin': {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "723", "display": "amoxicillin"}], "text": "amoxicillin 125 MG/5 ML Oral Suspension"},
    'mmr': {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "03", "display": "measles, mumps and rubella virus vaccine"}], "text": "MMR vaccine, live"},
    'pcv20': {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "216", "display": "Pneumococcal conjugate PCV20"}], "text": "Pneumococcal conjugate vaccine 20-valent (PCV20)"},
    'pcv15': {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "215", "display": "Pneumococcal conjugate PCV15"}], "text": "Pneumococcal conjugate vaccine 15-valent (PCV15)"},
    'pcv13': {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "133", "display": "Pneumococcal conjugate PCV 13"}], "text": "Pneumococcal conjugate vaccine 13-valent (PCV13)"},
    'hib': {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "48", "display": "Hib (PRP-T)"}], "text": "Haemophilus influenzae type b conjugate vaccine (PRP-T)"},
    'ra': {"coding": [{"system": "http://snomed.info/sct", "code": "69896004", "display": "Rheumatoid arthritis"}], "text": "Rheumatoid arthritis"},
    'caps': {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M04.2", "display": "Cryopyrin-associated periodic syndromes"}], "text": "Neonatal-onset multisystem inflammatory disease (NOMID/CINCA)"},
    'dira': {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M04.8", "display": "Other autoinflammatory syndromes"}], "text": "Deficiency of interleukin-1 receptor antagonist (DIRA)"},
    'aosd': {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M06.1", "display": "Adult-onset Still's disease"}], "text": "Adult-onset Still's disease"},
    'hs': {"coding": [{"system": "http://snomed.info/sct", "code": "59393003", "display": "Hidradenitis suppurativa"}, {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "L73.2", "display": "Hidradenitis suppurativa"}], "text": "Hidradenitis suppurativa"},
    'hepatic-failure': {"coding": [{"system": "http://snomed.info/sct", "code": "59927004", "display": "Hepatic failure"}, {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "K72.10", "display": "Chronic hepatic failure without coma"}], "text": "Chronic hepatic failure"},
    'pneumonia': {"coding": [{"system": "http://snomed.info/sct", "code": "233604007", "display": "Pneumonia"}], "text": "Community-acquired pneumonia"},
    'hiv': {"coding": [{"system": "http://snomed.info/sct", "code": "86406008", "display": "Human immunodeficiency virus infection"}], "text": "HIV infection"},
    'sinusitis': {"text": "Acute bacterial sinusitis"},
    'rubella-nonimmune': {"text": "Non-immune on serology; catch-up immunization"},
    'pneumococcal-prophylaxis': {"text": "Antibacterial prophylaxis for a very young child on IL-1 blockade"},
    'ecoli-protein': {"text": "Escherichia coli-derived protein (recombinant biologics, e.g. filgrastim)"},
    'anaphylaxis': {"text": "Anaphylaxis after filgrastim (E. coli-derived recombinant protein)"},
    'mws': {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M04.2", "display": "Cryopyrin-associated periodic syndromes"}], "text": "Muckle-Wells syndrome (CAPS)"},
    'interstitial-pneumonia': {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "J84.111", "display": "Idiopathic interstitial pneumonia, not otherwise specified"}], "text": "Interstitial pneumonia (rheumatoid lung disease)"},
    'no-tb': {"text": "No history of tuberculosis; IGRA negative"},
    'nausea': {"text": "Nausea and malaise after filgrastim"},
    'adalimumab-html': {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "327361"}], "text": "adalimumab <img src=x onerror=alert(1)> [click](javascript:alert(1))"},
    'crcl': {"coding": [{"system": "http://loinc.org", "code": "2164-2", "display": "Creatinine renal clearance in 24 hour Urine and Serum or Plasma"}], "text": "Creatinine clearance"},
    'kineret-sbd': {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "727714"}]},
    'weight': {"coding": [{"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"}], "text": "Body weight"},
    'anc': {"coding": [{"system": "http://loinc.org", "code": "751-8", "display": "Neutrophils [#/volume] in Blood by Automated count"}], "text": "Absolute neutrophil count"},
    'egfr': {"coding": [{"system": "http://loinc.org", "code": "98979-8", "display": "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)"}], "text": "eGFR (CKD-EPI 2021)"},
    'pregnancy-status': {"coding": [{"system": "http://loinc.org", "code": "82810-3", "display": "Pregnancy status"}], "text": "Pregnancy status"},
    'pregnant': {"coding": [{"system": "http://loinc.org", "code": "LA15173-0", "display": "Pregnant"}], "text": "Pregnant"},
    'not-pregnant': {"coding": [{"system": "http://loinc.org", "code": "LA26683-5", "display": "Not pregnant"}], "text": "Not pregnant"},
    'breastfeeding-status': {"coding": [{"system": "http://loinc.org", "code": "63895-7", "display": "Breastfeeding status"}], "text": "Breastfeeding status"},
    'breastfeeding': {"coding": [{"system": "http://loinc.org", "code": "LA29252-6", "display": "Currently breastfeeding"}], "text": "Currently breastfeeding"},
}
C = CONCEPTS

def cc(key):
    c = C[key]
    out = {}
    if c.get('coding'):
        out['coding'] = [dict(x) for x in c['coding']]
    if 'text' in c:
        out['text'] = c['text']
    return out

ROUTE = {
    'sc': {'coding': [{'system': SCT, 'code': '34206005', 'display': 'Subcutaneous route'}], 'text': 'subcutaneous'},
    'iv': {'coding': [{'system': SCT, 'code': '47625008', 'display': 'Intravenous route'}], 'text': 'intravenous'},
    'im': {'coding': [{'system': SCT, 'code': '78421000', 'display': 'Intramuscular route'}], 'text': 'intramuscular'},
    'po': {'coding': [{'system': SCT, 'code': '26643006', 'display': 'Oral route'}], 'text': 'oral'},
}

def timing(kind):
    if kind == 'qd':
        return {'repeat': {'frequency': 1, 'period': 1, 'periodUnit': 'd'}}
    if kind == 'bid':
        return {'repeat': {'frequency': 2, 'period': 1, 'periodUnit': 'd'},
                'code': {'coding': [{'system': 'http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation', 'code': 'BID'}], 'text': 'twice a day'}}
    if kind == 'tid':
        return {'repeat': {'frequency': 3, 'period': 1, 'periodUnit': 'd', 'boundsDuration': {'value': 7, 'unit': 'days', 'system': UCUM, 'code': 'd'}}}
    if kind == 'weekly':
        return {'repeat': {'frequency': 1, 'period': 1, 'periodUnit': 'wk'}}
    if kind == 'q2w':
        return {'repeat': {'frequency': 1, 'period': 2, 'periodUnit': 'wk'}}
    if kind == 'q8w':
        return {'repeat': {'frequency': 1, 'period': 8, 'periodUnit': 'wk'}}
    if kind == 'once':
        return {'repeat': {'count': 1}}
    raise ValueError(kind)

FREQ_TEXT = {'tid': 'three times daily for 7 days', 'qd': 'once daily', 'bid': 'twice daily', 'weekly': 'once weekly', 'q2w': 'every 2 weeks',
             'q8w': 'every 8 weeks', 'once': 'once'}


class Sample:
    def __init__(self, name, title, shows, expected, page_size=None, hook='order-sign'):
        self.name, self.title, self.shows, self.expected = name, title, shows, expected
        self.page_size = page_size
        self.hook = hook
        self.entries = []
        self.n = {}
        self.patient_ref = None

    def rid(self, kind):
        self.n[kind] = self.n.get(kind, 0) + 1
        return f'ak-{self.name}-{kind}{self.n[kind] if self.n[kind] > 1 else ""}'

    def add(self, res, kind):
        res = dict(res)
        rid = self.rid(kind)
        out = {'resourceType': res.pop('resourceType'), 'id': rid,
               'meta': {'tag': [{'system': TAG, 'code': self.name}]}}
        out.update(res)
        self.entries.append({'resource': out, 'request': {'method': 'PUT', 'url': f"{out['resourceType']}/{rid}"}})
        return f"{out['resourceType']}/{rid}"

    # ---- resources
    def patient(self, given, family, gender, birth):
        res = {'resourceType': 'Patient', 'active': True,
               'name': [{'use': 'official', 'family': family, 'given': [given]}], 'gender': gender}
        if birth:
            res['birthDate'] = birth
        self.patient_ref = self.add(res, 'pt')
        return self.patient_ref

    def subj(self):
        return {'reference': self.patient_ref}

    def condition(self, key, onset, status='active', ver='confirmed'):
        kind = 'cond-' + key
        res = {'resourceType': 'Condition',
               'clinicalStatus': {'coding': [{'system': 'http://terminology.hl7.org/CodeSystem/condition-clinical', 'code': status}]},
               'verificationStatus': {'coding': [{'system': 'http://terminology.hl7.org/CodeSystem/condition-ver-status', 'code': ver}]},
               'category': [{'coding': [{'system': 'http://terminology.hl7.org/CodeSystem/condition-category', 'code': 'problem-list-item', 'display': 'Problem List Item'}]}],
               'code': cc(key), 'subject': self.subj(), 'onsetDateTime': onset, 'recordedDate': onset}
        return self.add(res, kind)

    def crcl(self, value, date='2026-11-10T08:30:00Z'):
        return self.obs_qty('crcl', value, 'mL/min', 'mL/min', date)

    def obs_qty(self, key, value, unit, code, date, category='laboratory'):
        res = {'resourceType': 'Observation', 'status': 'final',
               'category': [{'coding': [{'system': 'http://terminology.hl7.org/CodeSystem/observation-category', 'code': category}]}],
               'code': cc(key), 'subject': self.subj(), 'effectiveDateTime': date,
               'valueQuantity': {'value': value, 'unit': unit, 'system': UCUM, 'code': code}}
        return self.add(res, key)

    def weight(self, kg, date='2026-11-01T10:00:00Z'):
        return self.obs_qty('weight', kg, 'kg', 'kg', date, 'vital-signs')

    def anc(self, value, date='2026-11-10T08:30:00Z'):
        return self.obs_qty('anc', value, '10*9/L', '10*9/L', date)

    def egfr(self, value, date='2026-11-10T08:30:00Z'):
        return self.obs_qty('egfr', value, 'mL/min/{1.73_m2}', 'mL/min/{1.73_m2}', date)

    def obs_coded(self, key, value_key, date, category='social-history'):
        res = {'resourceType': 'Observation', 'status': 'final',
               'category': [{'coding': [{'system': 'http://terminology.hl7.org/CodeSystem/observation-category', 'code': category}]}],
               'code': cc(key), 'subject': self.subj(), 'effectiveDateTime': date,
               'valueCodeableConcept': cc(value_key)}
        return self.add(res, key)

    def immunization(self, key, date, dose=None):
        res = {'resourceType': 'Immunization', 'status': 'completed', 'vaccineCode': cc(key),
               'patient': self.subj(), 'occurrenceDateTime': date, 'primarySource': True}
        if dose:
            res['protocolApplied'] = [{'doseNumberPositiveInt': dose}]
        return self.add(res, 'imm-' + ('hib' if key == 'hib' else 'pcv'))

    def allergy(self, key, date, reaction=None, type_='allergy', criticality='high', severity='severe'):
        res = {'resourceType': 'AllergyIntolerance',
               'clinicalStatus': {'coding': [{'system': 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', 'code': 'active'}]},
               'verificationStatus': {'coding': [{'system': 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', 'code': 'confirmed'}]},
               'type': type_, 'category': ['medication'], 'criticality': criticality,
               'code': cc(key), 'patient': self.subj(), 'recordedDate': date}
        if reaction:
            res['reaction'] = [{'manifestation': [cc(reaction)], 'severity': severity}]
        return self.add(res, 'allergy')

    def medreq(self, med_key, status, dose, unit, freq, route, authored, reason=None, kind='mr', note=None,
               lines=1, prior=None, med=None):
        """A MedicationRequest; `lines` concurrent dosage entries (same sequence); freq None = no timing."""
        ucode = {'mg': 'mg', 'mL': 'mL'}[unit]
        dis = []
        for _ in range(lines):
            di = {'sequence': 1,
                  'text': f"{dose:g} {unit} {ROUTE[route]['text']}" + (f" {FREQ_TEXT[freq]}" if freq else '')}
            if freq:
                di['timing'] = timing(freq)
            di['route'] = ROUTE[route]
            di['doseAndRate'] = [{'doseQuantity': {'value': dose, 'unit': unit, 'system': UCUM, 'code': ucode}}]
            dis.append(di)
        return self.medreq_with(med_key, status, dis, authored, reason, kind, note, prior, med)

    def medreq_with(self, med_key, status, dosage, authored, reason=None, kind='mr', note=None, prior=None,
                    med=None):
        res = {'resourceType': 'MedicationRequest', 'status': status, 'intent': 'order',
               'medicationCodeableConcept': med if med is not None else cc(med_key),
               'subject': self.subj(), 'authoredOn': authored}
        if reason:
            res['reasonCode'] = [cc(reason)]
        if prior:
            res['priorPrescription'] = {'reference': prior}
        if note:
            res['note'] = [{'text': note}]
        res['dosageInstruction'] = dosage
        return self.add(res, kind)

    def draft_anakinra(self, dose, freq='qd', route='sc', reason='ra', lines=1, prior=None, kind='anakinra-draft',
                       med=None):
        return self.medreq('anakinra', 'draft', dose, 'mg', freq, route, REF, reason, kind, lines=lines,
                           prior=prior, med=med)

    def active_anakinra(self, reason='ra', authored='2026-05-12T10:00:00Z'):
        return self.medreq('anakinra', 'active', 100, 'mg', 'qd', 'sc', authored, reason, 'anakinra-active')

    # ---- standard blocks
    def adult_ra(self, kg=70, immunised=True, anc=3.4, egfr=88, ra_onset='2019-04-02'):
        self.condition('ra', ra_onset)
        if kg is not None:
            self.weight(kg)
        if anc is not None:
            self.anc(anc)
        if egfr is not None:
            self.egfr(egfr)
        if immunised:
            self.immunization('pcv20', '2026-08-14T10:00:00Z')
            self.immunization('hib', '2026-08-14T10:05:00Z')

    def child_caps(self, kg, birth, weight_date='2026-11-01T10:00:00Z', infant=False):
        birth_year = birth[:4]
        self.condition('caps', birth)
        if kg is not None:
            self.weight(kg, weight_date)
        self.anc(4.1)
        self.immunization('pcv15' if infant else 'pcv13', '2026-03-02T09:00:00Z' if infant else f'{int(birth_year)+1}-06-20T09:00:00Z', 3 if infant else 4)
        self.immunization('hib', '2026-03-02T09:05:00Z' if infant else f'{int(birth_year)+1}-06-20T09:05:00Z', 3 if infant else 4)

    def amoxicillin(self):
        return self.medreq('amoxicillin', 'active', 125, 'mg', 'qd', 'po', '2026-11-02T10:00:00Z',
                           'pneumococcal-prophylaxis', 'prophylaxis')

    def bundle(self):
        return {'resourceType': 'Bundle', 'type': 'transaction',
                'meta': {'tag': [{'system': TAG, 'code': self.name}]}, 'entry': self.entries}


def card(code, indicator, suggestions=()):
    return {'code': code, 'indicator': indicator, 'suggestions': [list(s) for s in suggestions]}

SAMPLES = []
def sample(name, title, shows, cards, page_size=None, hook='order-sign'):
    s = Sample(name, title, shows, sorted(cards, key=lambda c: (c['code'], c['indicator'])), page_size, hook)
    SAMPLES.append(s)
    return s

# ---------------------------------------------------------------- the samples

# 1
s = sample('adult-ra-clean', 'F, 45 y, RA, 68 kg',
           'Clean adult RA start: 100 mg SC once daily, weight, ANC 3.4 (10 days), eGFR 88, PCV20 + Hib on record; co-therapy methotrexate + folic acid (non-TNF DMARD, must not alert): no warning or critical card',
           [])
s.patient('Alice', 'Clean', 'female', '1981-03-14')
s.adult_ra(kg=68)
s.medreq('methotrexate', 'active', 15, 'mg', 'weekly', 'po', '2025-02-10T10:00:00Z', 'ra', 'mtx')
s.medreq('folic-acid', 'active', 1, 'mg', 'qd', 'po', '2025-02-10T10:00:00Z', None, 'folate')
s.draft_anakinra(100)

# 2
s = sample('adult-ra-no-weight', 'M, 60 y, RA, last weight 233 days old',
           'Fixed-dose adult without a recent weight: 100 mg/day is checked against 100 mg/day and the 800 mg/day maximum without weight; no weight-required card',
           [])
s.patient('Bruno', 'Noweight', 'male', '1966-07-02')
s.adult_ra(kg=None)
s.weight(82, '2026-04-01T10:00:00Z')
s.draft_anakinra(100)

# 3
s = sample('child-caps-clean', 'M, 8 y, NOMID (CAPS), 25 kg',
           'CAPS band 1-8 mg/kg/day: 50 mg once daily = 2 mg/kg/day; only the CAPS lifelong-treatment info',
           [card('caps-lifelong', 'info')])
s.patient('Carl', 'Nomid', 'male', '2018-06-15')
s.child_caps(25, '2018-06-15')
s.draft_anakinra(50, reason='caps')

# 4
s = sample('infant-caps-clean', 'F, 18 months, NOMID (CAPS), 11 kg, amoxicillin prophylaxis',
           'Very young child (checked first) band 1-8 mg/kg/day: 50 mg = 4.5 mg/kg/day, between 1 and 6: no dose card; prophylaxis present',
           [card('caps-lifelong', 'info')])
s.patient('Daisy', 'Infant', 'female', '2025-05-20')
s.child_caps(11, '2025-05-20', infant=True)
s.amoxicillin()
s.draft_anakinra(50, reason='caps')

# 5
s = sample('infant-dose-below-range', 'M, 20 months, NOMID (CAPS), 12 kg, amoxicillin prophylaxis',
           'Very young child: 10 mg = 0.8 mg/kg/day is below 1 mg/kg/day; the nearest in-range dose (20 mg) doubles it, over the 50 % one-click limit: a warning without a suggestion',
           [card('caps-lifelong', 'info'), card('dose-below-range', 'warning')])
s.patient('Ethan', 'Toddler', 'male', '2025-03-10')
s.child_caps(12, '2025-03-10', infant=True)
s.amoxicillin()
s.draft_anakinra(10, reason='caps')

# 6
s = sample('child-dose-above-maximum', 'F, 10 y, NOMID (CAPS), 30 kg',
           'CAPS: 350 mg once daily = 11.7 mg/kg/day, above the 8 mg/kg/day maximum: critical, update to 240 mg (critical cards are exempt from the one-click limit)',
           [card('caps-lifelong', 'info'), card('dose-above-maximum', 'critical', [['update']])])
s.patient('Fiona', 'Overmax', 'female', '2016-04-08')
s.child_caps(30, '2016-04-08')
s.draft_anakinra(350, reason='caps')

# 7
s = sample('child-dose-above-range', 'F, 15 y, rheumatoid arthritis (juvenile onset), 55 kg',
           'Child 2-18 y, other indication, band 1-3 mg/kg/day: 200 mg = 3.6 mg/kg/day, above range within the 8 mg/kg/day maximum; update to 160 mg (-20 %)',
           [card('dose-above-range', 'warning', [['update']])])
s.patient('Greta', 'Teen', 'female', '2011-05-02')
s.condition('ra', '2023-06-01')
s.weight(55)
s.anc(3.9)
s.egfr(118)
s.immunization('pcv13', '2012-06-20T09:00:00Z', 4)
s.immunization('hib', '2012-06-20T09:05:00Z', 4)
s.draft_anakinra(200, reason='ra')

# 8
s = sample('adult-dose-below-range', 'M, 50 y, RA, 80 kg',
           'Adult RA: 50 mg once daily is below the usual 100 mg/day; 100 mg would double it (over the 50 % one-click limit): warning without a suggestion',
           [card('dose-below-range', 'warning')])
s.patient('Hugo', 'Lowdose', 'male', '1976-09-30')
s.adult_ra(kg=80)
s.draft_anakinra(50)

# 9
s = sample('adult-dose-above-range', 'F, 38 y, RA, 70 kg',
           'Adult RA: 150 mg once daily (2.1 mg/kg/day) is above 100 mg/day within the 8 mg/kg/day maximum; update to 100 mg (-33 %)',
           [card('dose-above-range', 'warning', [['update']])])
s.patient('Iris', 'Highdose', 'female', '1988-01-19')
s.adult_ra(kg=70)
s.draft_anakinra(150)

# 10
s = sample('adult-dose-above-maximum', 'F, 66 y, RA, 45 kg',
           'Adult RA: 400 mg once daily = 8.9 mg/kg/day, above the label maximum 8 mg/kg/day: critical, update to 100 mg',
           [card('dose-above-maximum', 'critical', [['update']])])
s.patient('Jane', 'Overmax', 'female', '1960-08-23')
s.adult_ra(kg=45)
s.draft_anakinra(400)

# 11
s = sample('adult-frequency-route', 'M, 55 y, RA, 85 kg',
           'Adult RA: 50 mg twice daily intravenously (100 mg/day, so no dose card): not once daily and not subcutaneous, one card',
           [card('dose-frequency', 'warning', [['update']])])
s.patient('Ken', 'Twice', 'male', '1971-05-05')
s.adult_ra(kg=85)
s.draft_anakinra(50, freq='bid', route='iv')

# 12
s = sample('adult-still-weight-based', "F, 24 y, adult-onset Still's disease, 45 kg",
           "Still's < 50 kg band 1-4 mg/kg/day: 100 mg once daily = 2.2 mg/kg/day; Still's is a recognised indication in v2: no off-label card",
           [])
s.patient('Lena', 'Still', 'female', '2002-02-27')
s.condition('aosd', '2026-09-01')
s.weight(45)
s.anc(6.2)
s.egfr(110)
s.immunization('pcv20', '2026-10-01T10:00:00Z')
s.immunization('hib', '2026-10-01T10:05:00Z')
s.draft_anakinra(100, reason='aosd')

# 13
s = sample('child-no-weight', 'M, 6 y, NOMID (CAPS), last weight 153 days old',
           'Child without a weight in the last 90 days: weight-required, and no dose card',
           [card('caps-lifelong', 'info'), card('weight-required', 'warning')])
s.patient('Leo', 'Noweight', 'male', '2020-02-11')
s.child_caps(20, '2020-02-11', weight_date='2026-06-20T10:00:00Z')
s.draft_anakinra(40, reason='caps')

# 14
s = sample('adult-renal-impairment', 'M, 70 y, RA, 72 kg, eGFR 22',
           'eGFR 22 mL/min/1.73 m2 (46 days old), 100 mg once daily (in range): renal-impairment with the update to 100 mg every other day',
           [card('renal-impairment', 'warning', [['update']])])
s.patient('Max', 'Renal', 'male', '1956-01-22')
s.adult_ra(kg=72, egfr=None)
s.egfr(22, '2026-10-05T08:00:00Z')
s.draft_anakinra(100)

# 15
s = sample('adult-hepatic-impairment', 'M, 58 y, RA, chronic hepatic failure',
           'Active hepatic failure Condition: hepatic-impairment info',
           [card('hepatic-impairment', 'info')])
s.patient('Nils', 'Hepatic', 'male', '1968-11-02')
s.adult_ra(kg=77)
s.condition('hepatic-failure', '2025-12-01')
s.draft_anakinra(100)

# 16
s = sample('adult-unimmunised', 'F, 41 y, RA, no immunizations on record',
           'A start without pneumococcal and Hib immunization: two cards, each suggesting a draft vaccine order',
           [card('immunisation-pneumococcal', 'warning', [['create']]), card('immunisation-hib', 'warning', [['create']])])
s.patient('Olga', 'Unimmunised', 'female', '1985-06-30')
s.adult_ra(kg=64, immunised=False)
s.draft_anakinra(100)

# 17
s = sample('infant-no-prophylaxis', 'M, 14 months, NOMID (CAPS), 10 kg, no antibiotic prophylaxis',
           'Very young child: 70 mg = 7 mg/kg/day is in range, but no active or draft antibacterial prophylaxis order',
           [card('antibiotic-prophylaxis', 'warning'), card('caps-lifelong', 'info')])
s.patient('Pablo', 'Infant', 'male', '2025-09-20')
s.child_caps(10, '2025-09-20', infant=True)
s.draft_anakinra(70, reason='caps')

# 18
s = sample('adult-low-neutrophils', 'F, 52 y, RA, ANC 1.2 x10^9/L 10 days ago',
           'Recent ANC below 1.5: neutrophil-count without a suggestion (a count is on file)',
           [card('neutrophil-count', 'warning')])
s.patient('Queenie', 'Neutro', 'female', '1974-02-12')
s.adult_ra(kg=66, anc=1.2)
s.draft_anakinra(100)

# 19
s = sample('adult-no-recent-neutrophils', 'M, 47 y, RA, last ANC 60 days old',
           'A start with no ANC in the 30 days before the order: neutrophil-count with a create (blood count) suggestion',
           [card('neutrophil-count', 'warning', [['create']])])
s.patient('Rafael', 'Oldcount', 'male', '1979-03-03')
s.adult_ra(kg=90, anc=None)
s.anc(3.1, '2026-09-21T09:00:00Z')
s.draft_anakinra(100)

# 20
s = sample('adult-tnf-antagonist', 'F, 49 y, RA, active adalimumab',
           'Active TNF antagonist + draft anakinra: critical, one suggestion (delete the draft anakinra; adalimumab is not a draft)',
           [card('tnf-antagonist', 'critical', [['delete']])])
s.patient('Sara', 'Humira', 'female', '1977-07-07')
s.adult_ra(kg=71)
s.medreq('adalimumab', 'active', 40, 'mg', 'q2w', 'sc', '2026-03-01T10:00:00Z', 'ra', 'tnf')
s.draft_anakinra(100)

# 21
s = sample('adult-tnf-both-drafts', 'M, 36 y, RA, draft anakinra + draft etanercept',
           'Both orders are drafts: one tnf-antagonist card whose two suggestions (delete the anakinra draft, or delete the etanercept draft) allow at most one choice',
           [card('tnf-antagonist', 'critical', [['delete'], ['delete']])])
s.patient('Tom', 'Twodrafts', 'male', '1990-10-10')
s.adult_ra(kg=78)
s.draft_anakinra(100)
s.medreq('etanercept', 'draft', 50, 'mg', 'weekly', 'sc', REF, 'ra', 'tnf-draft')

# 22
s = sample('adult-il1-duplication', 'F, 33 y, RA, draft anakinra + draft canakinumab',
           'Two IL-1 blockers drafted: il1-blocker-duplication (critical for canakinumab); the clinician keeps one: delete the anakinra draft or the canakinumab draft (at most one)',
           [card('il1-blocker-duplication', 'critical', [['delete'], ['delete']])])
s.patient('Uma', 'Duplicate', 'female', '1993-04-14')
s.adult_ra(kg=59)
s.draft_anakinra(100)
s.medreq('canakinumab', 'draft', 150, 'mg', 'q8w', 'sc', REF, None, 'il1-draft')

# 23
s = sample('reverse-live-vaccine', 'F, 30 y, RA, on anakinra (active), draft MMR',
           'Reverse direction: no draft anakinra, active anakinra + draft live vaccine (CVX 03): only live-vaccine',
           [card('live-vaccine', 'warning', [['delete']])])
s.patient('Vera', 'Vaccine', 'female', '1996-09-09')
s.adult_ra(kg=62)
s.active_anakinra()
s.medreq('mmr', 'draft', 0.5, 'mL', 'once', 'sc', REF, 'rubella-nonimmune', 'vaccine-draft')

# 24
s = sample('reverse-tnf-antagonist', 'M, 44 y, RA, on anakinra (active), draft infliximab IV',
           'Reverse direction: active anakinra + draft TNF antagonist: tnf-antagonist, delete the draft infliximab only',
           [card('tnf-antagonist', 'critical', [['delete']])])
s.patient('Walter', 'Reverse', 'male', '1982-02-02')
s.adult_ra(kg=88)
s.active_anakinra()
s.medreq('infliximab', 'draft', 300, 'mg', 'q8w', 'iv', REF, 'ra', 'tnf-draft')

# 25
s = sample('adult-live-vaccine-draft', 'M, 42 y, RA, draft anakinra + draft MMR',
           'Live vaccine drafted together with anakinra: live-vaccine, delete the draft MMR order',
           [card('live-vaccine', 'warning', [['delete']])])
s.patient('Xaver', 'Mmr', 'male', '1984-08-08')
s.adult_ra(kg=84)
s.draft_anakinra(100)
s.medreq('mmr', 'draft', 0.5, 'mL', 'once', 'sc', REF, 'rubella-nonimmune', 'vaccine-draft')

# 26
s = sample('adult-ecoli-allergy', 'F, 57 y, RA, allergy to E. coli-derived proteins',
           'Contraindication: active confirmed allergy (anaphylaxis) to E. coli-derived protein: critical, delete the draft anakinra',
           [card('ecoli-protein-hypersensitivity', 'critical', [['delete']])])
s.patient('Yvonne', 'Ecoli', 'female', '1969-05-25')
s.adult_ra(kg=69)
s.allergy('ecoli-protein', '2021-03-04', 'anaphylaxis')
s.draft_anakinra(100)

# 27
s = sample('adult-active-infection-hiv', 'M, 39 y, RA, active pneumonia, HIV infection',
           'Active serious infection (pneumonia) and a chronic infection (HIV): two cards',
           [card('active-infection', 'warning'), card('immunosuppression-chronic-infection', 'info')])
s.patient('Zack', 'Infection', 'male', '1987-01-30')
s.adult_ra(kg=74)
s.condition('hiv', '2015-06-01')
s.condition('pneumonia', '2026-11-16')
s.draft_anakinra(100)

# 28
s = sample('adult-pregnant', 'F, 32 y, RA, pregnant (LOINC 82810-3 = LA15173-0, 31 days old)',
           'Pregnancy-status observation says pregnant: pregnancy warning',
           [card('pregnancy', 'warning')])
s.patient('Anna', 'Pregnant', 'female', '1994-02-17')
s.adult_ra(kg=67)
s.obs_coded('pregnancy-status', 'pregnant', '2026-10-20T09:00:00Z')
s.draft_anakinra(100)

# 29
s = sample('adult-breastfeeding', 'F, 29 y, RA, currently breastfeeding, not pregnant',
           'Breast-feeding-status observation (LA29252-6, 15 days old): breastfeeding warning; pregnancy status "not pregnant" must not alert',
           [card('breastfeeding', 'warning')])
s.patient('Beth', 'Nursing', 'female', '1997-06-06')
s.adult_ra(kg=63)
s.obs_coded('breastfeeding-status', 'breastfeeding', '2026-11-05T09:00:00Z')
s.obs_coded('pregnancy-status', 'not-pregnant', '2026-11-05T09:05:00Z')
s.draft_anakinra(100)

# 30
s = sample('adult-off-label', 'F, 35 y, hidradenitis suppurativa, 74 kg',
           "Order reason is hidradenitis suppurativa (skin disease, not RA/CAPS/DIRA/Still's/FMF): off-label-indication info",
           [card('off-label-indication', 'info')])
s.patient('Carla', 'Offlabel', 'female', '1991-03-21')
s.condition('hs', '2020-05-01')
s.weight(74)
s.anc(4.4)
s.egfr(101)
s.immunization('pcv20', '2026-08-14T10:00:00Z')
s.immunization('hib', '2026-08-14T10:05:00Z')
s.draft_anakinra(100, reason='hs')

# 31
s = sample('no-birthdate', 'F, birth date unknown, RA, 70 kg',
           'Patient without birthDate: patient-data-missing; no dose, weight-required or prophylaxis card',
           [card('patient-data-missing', 'warning')])
s.patient('Dora', 'Nobirth', 'female', None)
s.adult_ra(kg=70)
s.draft_anakinra(100)

# 32
s = sample('no-anakinra-order', 'M, 62 y, RA, on methotrexate; draft amoxicillin only',
           'No anakinra order and no interacting order (anakinra not active either): {"cards": []}',
           [])
s.patient('Egon', 'Unrelated', 'male', '1964-04-04')
s.adult_ra(kg=81)
s.medreq('methotrexate', 'active', 15, 'mg', 'weekly', 'po', '2024-01-10T10:00:00Z', 'ra', 'mtx')
s.medreq('amoxicillin', 'draft', 500, 'mg', 'tid', 'po', REF, 'sinusitis', 'draft')

# ---- policy version 2 samples

# 33
s = sample('adult-dose-not-checked', 'F, 54 y, RA, active adalimumab, anakinra dose "1 {syringe}"',
           'A dose in a unit that cannot be read (1 {syringe}): HTTP 200 with the critical tnf-antagonist card kept, plus dose-not-checked (policy 0)',
           [card('tnf-antagonist', 'critical', [['delete']]), card('dose-not-checked', 'warning')])
s.patient('Freya', 'Syringe', 'female', '1972-09-12')
s.adult_ra(kg=66)
s.medreq('adalimumab', 'active', 40, 'mg', 'q2w', 'sc', '2026-02-01T10:00:00Z', 'ra', 'tnf')
s.medreq_with('anakinra', 'draft', [{
    'sequence': 1, 'text': '1 syringe subcutaneous once daily', 'timing': timing('qd'), 'route': ROUTE['sc'],
    'doseAndRate': [{'doseQuantity': {'value': 1, 'unit': 'syringe', 'system': UCUM, 'code': '{syringe}'}}]}],
    REF, 'ra', 'anakinra-draft')

# 34
s = sample('adult-dose-range', 'M, 48 y, RA, 79 kg, anakinra dose given as a range 100-200 mg',
           'doseRange instead of doseQuantity: the daily dose cannot be read: dose-not-checked, no other card (policy 0)',
           [card('dose-not-checked', 'warning')])
s.patient('Gustav', 'Range', 'male', '1978-02-14')
s.adult_ra(kg=79)
s.medreq_with('anakinra', 'draft', [{
    'sequence': 1, 'text': '100-200 mg subcutaneous once daily', 'timing': timing('qd'), 'route': ROUTE['sc'],
    'doseAndRate': [{'doseRange': {'low': {'value': 100, 'unit': 'mg', 'system': UCUM, 'code': 'mg'},
                                   'high': {'value': 200, 'unit': 'mg', 'system': UCUM, 'code': 'mg'}}}]}],
    REF, 'ra', 'anakinra-draft')

# 35
s = sample('child-concurrent-dose-lines', 'F, 7 y, NOMID (CAPS), 25 kg, two concurrent 150 mg lines',
           'Two dosageInstruction entries with the same sequence add up: 2 x 150 mg = 300 mg/day = 12 mg/kg/day, above the 8 mg/kg/day maximum; one update rewrites both entries',
           [card('caps-lifelong', 'info'), card('dose-above-maximum', 'critical', [['update']])])
s.patient('Hanna', 'Twolines', 'female', '2019-03-03')
s.child_caps(25, '2019-03-03')
s.draft_anakinra(150, reason='caps', lines=2)

# 36
s = sample('adult-renal-dose-combined', 'M, 72 y, RA, 75 kg, CrCl 20 mL/min, 200 mg daily',
           'Renal impairment and a dose above range: the dose card carries the one combined update (100 mg every other day); the renal card has no update of its own',
           [card('dose-above-range', 'warning', [['update']]), card('renal-impairment', 'warning')])
s.patient('Ivo', 'Combined', 'male', '1954-07-19')
s.adult_ra(kg=75, egfr=None)
s.crcl(20, '2026-11-12T08:00:00Z')
s.draft_anakinra(200)

# 37
s = sample('adult-ra-renewal', 'M, 65 y, RA, on anakinra for 2 years, renewal',
           'A renewal (priorPrescription = the active order, started 2024-11): a continuation, so no duplication, no immunisation cards and no missing-count card after 12 months (last ANC 8 months old)',
           [])
s.patient('Jakob', 'Renewal', 'male', '1961-05-30')
s.adult_ra(kg=81, immunised=False, anc=None, egfr=None)
s.anc(3.2, '2026-03-16T08:30:00Z')
s.egfr(74, '2026-06-02T08:30:00Z')
active = s.active_anakinra(authored='2024-11-04T10:00:00Z')
s.draft_anakinra(100, prior=active, kind='anakinra-renewal')

# 38
s = sample('adult-second-anakinra', 'F, 58 y, RA, on anakinra, a second anakinra order (not a renewal)',
           'A new anakinra order without priorPrescription while one is active: il1-blocker-duplication warning (replace the active order?), delete the duplicate draft',
           [card('il1-blocker-duplication', 'warning', [['delete']])])
s.patient('Karin', 'Second', 'female', '1968-12-01')
s.adult_ra(kg=72)
s.active_anakinra()
s.draft_anakinra(100)

# 39
s = sample('adult-caps-weight-based', 'M, 34 y, Muckle-Wells syndrome (CAPS), 50 kg',
           'Adult CAPS band 1-8 mg/kg/day: 200 mg = 4 mg/kg/day is within the label: no dose card, only caps-lifelong',
           [card('caps-lifelong', 'info')])
s.patient('Lars', 'Muckle', 'male', '1992-08-08')
s.condition('mws', '2001-01-15')
s.weight(50)
s.anc(4.8)
s.egfr(105)
s.immunization('pcv20', '2026-09-01T10:00:00Z')
s.immunization('hib', '2026-09-01T10:05:00Z')
s.draft_anakinra(200, reason='mws')

# 40
s = sample('infant-dose-above-label', 'F, 19 months, DIRA, 12 kg, amoxicillin prophylaxis',
           'Very young child (any indication, checked before DIRA): 110 mg = 9.2 mg/kg/day is within the seed 6-10 but above the label 8: dose-above-range warning, update to 90 mg',
           [card('dose-above-range', 'warning', [['update']])])
s.patient('Mila', 'Dira', 'female', '2025-04-15')
s.condition('dira', '2025-05-01')
s.weight(12)
s.anc(3.6)
s.immunization('pcv15', '2026-04-20T09:00:00Z', 3)
s.immunization('hib', '2026-04-20T09:05:00Z', 3)
s.amoxicillin()
s.draft_anakinra(110, reason='dira')

# 41
s = sample('adult-kineret-product-code', 'F, 44 y, RA, Kineret coded as RxNorm SBD 727714 only, no Hib on record',
           'A product-coded order (RxNorm 727714, no display, no text) is an anakinra order: the start gets immunisation-hib',
           [card('immunisation-hib', 'warning', [['create']])])
s.patient('Nora', 'Product', 'female', '1982-10-10')
s.adult_ra(kg=70, immunised=False)
s.immunization('pcv20', '2026-08-14T10:00:00Z')
s.draft_anakinra(100, med=cc('kineret-sbd'))

# 42
s = sample('adult-no-frequency', 'M, 51 y, RA, 70 kg, 600 mg with no frequency',
           'No timing: the single 600 mg dose is above the 560 mg/day maximum (8 mg/kg/day) whatever the frequency: critical; dose-frequency says the frequency is missing (the dose card carries the update)',
           [card('dose-above-maximum', 'critical', [['update']]), card('dose-frequency', 'warning')])
s.patient('Otto', 'Nofreq', 'male', '1975-04-04')
s.adult_ra(kg=70)
s.draft_anakinra(600, freq=None)

# 43
s = sample('adult-paged-prefetch', 'F, 50 y, RA, active adalimumab, prefetch sent one entry per page',
           'Client-paged prefetch (pageSize 1, next links and no fhirServer): adalimumab on page 1 still gives tnf-antagonist; the Hib check (an absence rule) cannot run: data-not-checked, 200',
           [card('tnf-antagonist', 'critical', [['delete']]), card('data-not-checked', 'warning')], page_size=1)
s.patient('Paula', 'Paged', 'female', '1976-06-21')
s.medreq('adalimumab', 'active', 40, 'mg', 'q2w', 'sc', '2026-01-15T10:00:00Z', 'ra', 'tnf')
s.medreq('methotrexate', 'active', 15, 'mg', 'weekly', 'po', '2025-02-10T10:00:00Z', 'ra', 'mtx')
s.adult_ra(kg=64)
s.draft_anakinra(100)

# 44
s = sample('adult-ecoli-intolerance', 'M, 61 y, RA, intolerance (nausea) to an E. coli-derived protein',
           'An intolerance, not an allergy: ecoli-protein-hypersensitivity as a warning, delete the draft anakinra',
           [card('ecoli-protein-hypersensitivity', 'warning', [['delete']])])
s.patient('Quentin', 'Intolerant', 'male', '1965-01-09')
s.adult_ra(kg=83)
s.allergy('ecoli-protein', '2022-09-14', 'nausea', type_='intolerance', criticality='low', severity='mild')
s.draft_anakinra(100)

# 45
s = sample('adult-interstitial-pneumonia', 'F, 63 y, RA, interstitial pneumonia (rheumatoid lung)',
           'A non-infectious (interstitial) pneumonia is not an active infection: no card',
           [])
s.patient('Rosa', 'Lung', 'female', '1963-03-27')
s.adult_ra(kg=61)
s.condition('interstitial-pneumonia', '2024-02-01')
s.draft_anakinra(100)

# 46
s = sample('adult-negated-tb', 'M, 46 y, RA, problem list "No history of tuberculosis"',
           'Negated condition text ("no history of tuberculosis") is not tuberculosis: no active-infection and no chronic-infection card',
           [])
s.patient('Stefan', 'Negated', 'male', '1980-11-11')
s.adult_ra(kg=88)
s.condition('no-tb', '2026-10-01')
s.draft_anakinra(100)

# 47
s = sample('adult-html-drug-name', 'F, 39 y, RA, active adalimumab whose text holds HTML and a markdown link',
           'Drug text from the EHR with <img onerror> and a javascript: link: the tnf-antagonist card carries it escaped (no HTML, no link)',
           [card('tnf-antagonist', 'critical', [['delete']])])
s.patient('Tina', 'Markup', 'female', '1987-02-02')
s.adult_ra(kg=60)
s.medreq('adalimumab-html', 'active', 40, 'mg', 'q2w', 'sc', '2026-04-01T10:00:00Z', 'ra', 'tnf')
s.draft_anakinra(100)

# 48
s = sample('adult-vaccines-drafted', 'M, 43 y, RA, no immunizations on record, PCV20 and Hib drafted with anakinra',
           'Prerequisites followed in the same draft: the draft vaccine orders clear both immunisation cards',
           [])
s.patient('Uwe', 'Drafted', 'male', '1983-03-03')
s.adult_ra(kg=76, immunised=False)
s.draft_anakinra(100)
s.medreq('pcv20', 'draft', 0.5, 'mL', 'once', 'im', REF, None, 'vaccine-draft')
s.medreq('hib', 'draft', 0.5, 'mL', 'once', 'im', REF, None, 'vaccine-draft')


# ---------------------------------------------------------------- patient-view (policy section 7)
# The chart is opened at the reference time; the patient's anakinra order is active (no draft).
PV = 'patient-view'

# 49
s = sample('pv-well-monitored', 'F, 52 y, RA, on anakinra 6 months',
           'patient-view, well monitored: ANC 10 days old (months 3-12: every 90 days), eGFR 88, no infection: no card',
           [], hook=PV)
s.patient('Vera', 'Monitored', 'female', '1974-05-05')
s.adult_ra(kg=70)
s.active_anakinra(authored='2026-05-12T10:00:00Z')

# 50
s = sample('pv-neutrophil-due', 'M, 58 y, RA, on anakinra 2 months, last ANC 50 days ago',
           'patient-view, months 0-3 (a count every 30 days): the count is due: neutrophil-count info with a blood-count order',
           [card('neutrophil-count', 'info', [['create']])], hook=PV)
s.patient('Walter', 'Due', 'male', '1968-08-08')
s.adult_ra(kg=80, anc=None)
s.anc(3.9, '2026-10-01T08:30:00Z')
s.active_anakinra(authored='2026-09-15T10:00:00Z')

# 51
s = sample('pv-neutrophil-low', 'F, 47 y, RA, on anakinra 4 months, ANC 0.8',
           'patient-view: latest neutrophil count below 1.0 x10^9/L: neutrophil-count warning (review with the specialist)',
           [card('neutrophil-count', 'warning')], hook=PV)
s.patient('Xenia', 'Neutropenic', 'female', '1979-09-09')
s.adult_ra(kg=62, anc=0.8)
s.active_anakinra(authored='2026-07-20T10:00:00Z')

# 52
s = sample('pv-renal-once-daily', 'M, 71 y, RA, on anakinra once daily, eGFR now 22',
           'patient-view: renal function fell below 30 mL/min while the order is once daily: renal-impairment info, no suggestion',
           [card('renal-impairment', 'info')], hook=PV)
s.patient('Yusuf', 'Renal', 'male', '1955-01-10')
s.adult_ra(kg=75, egfr=22)
s.active_anakinra(authored='2026-06-01T10:00:00Z')

# 53
s = sample('pv-tnf-antagonist', 'F, 44 y, RA, on anakinra and etanercept',
           'patient-view: an active TNF antagonist alongside the active anakinra: tnf-antagonist critical, no suggestion (nothing is a draft)',
           [card('tnf-antagonist', 'critical')], hook=PV)
s.patient('Zora', 'Combined', 'female', '1982-02-12')
s.adult_ra(kg=66)
s.active_anakinra(authored='2026-06-01T10:00:00Z')
s.medreq('etanercept', 'active', 50, 'mg', 'weekly', 'sc', '2026-10-20T10:00:00Z', 'ra', 'tnf')

# 54
s = sample('pv-second-anakinra', 'M, 50 y, RA, two active anakinra orders',
           'patient-view: two active anakinra orders: one il1-blocker-duplication warning for the pair',
           [card('il1-blocker-duplication', 'warning')], hook=PV)
s.patient('Anton', 'Twice', 'male', '1976-03-03')
s.adult_ra(kg=84)
s.active_anakinra(authored='2026-06-01T10:00:00Z')
s.medreq('anakinra', 'active', 100, 'mg', 'qd', 'sc', '2026-11-02T10:00:00Z', 'ra', 'anakinra-active')

# 55
s = sample('pv-live-vaccine', 'F, 36 y, RA, on anakinra, MMR ordered',
           'patient-view: an active live-vaccine order for a patient on anakinra: live-vaccine warning',
           [card('live-vaccine', 'warning')], hook=PV)
s.patient('Bea', 'Vaccine', 'female', '1990-04-04')
s.adult_ra(kg=58)
s.active_anakinra(authored='2026-06-01T10:00:00Z')
s.medreq('mmr', 'active', 0.5, 'mL', 'once', 'sc', '2026-11-18T10:00:00Z', 'rubella-nonimmune', 'vaccine')

# 56
s = sample('pv-serious-infection', 'M, 62 y, RA, on anakinra, pneumonia since 3 days',
           'patient-view: an active serious infection in a patient on anakinra: active-infection warning (stop in RA; weigh the flare risk in NOMID/DIRA)',
           [card('active-infection', 'warning')], hook=PV)
s.patient('Carlo', 'Infected', 'male', '1964-06-06')
s.adult_ra(kg=79)
s.condition('pneumonia', '2026-11-17')
s.active_anakinra(authored='2026-06-01T10:00:00Z')

# 57
s = sample('pv-pregnancy', 'F, 31 y, RA, on anakinra, now pregnant',
           'patient-view: pregnancy recorded during treatment: pregnancy warning',
           [card('pregnancy', 'warning')], hook=PV)
s.patient('Dora', 'Expecting', 'female', '1995-07-07')
s.adult_ra(kg=64)
s.obs_coded('pregnancy-status', 'pregnant', '2026-11-12T09:00:00Z')
s.active_anakinra(authored='2026-06-01T10:00:00Z')

# 58
s = sample('pv-not-on-anakinra', 'F, 45 y, RA on methotrexate only',
           'patient-view for a patient with no anakinra order: no card, at once',
           [], hook=PV)
s.patient('Elke', 'Other', 'female', '1981-08-08')
s.adult_ra(kg=70)
s.medreq('methotrexate', 'active', 15, 'mg', 'weekly', 'po', '2025-02-10T10:00:00Z', 'ra', 'mtx')


# ---------------------------------------------------------------- output

# Every card code of the policy's catalogue (clinical-policy.md section 4) with its indicator.
CATALOGUE = {
    'dose-above-maximum': {'critical'}, 'dose-above-range': {'warning'}, 'dose-below-range': {'warning'},
    'dose-frequency': {'warning'}, 'dose-not-checked': {'warning'}, 'data-not-checked': {'warning'},
    'weight-required': {'warning'}, 'renal-impairment': {'warning', 'info'},
    'hepatic-impairment': {'info'}, 'immunisation-pneumococcal': {'warning'}, 'immunisation-hib': {'warning'},
    'antibiotic-prophylaxis': {'warning'}, 'neutrophil-count': {'warning', 'info'}, 'tnf-antagonist': {'critical'},
    'il1-blocker-duplication': {'critical', 'warning'}, 'live-vaccine': {'warning'},
    'ecoli-protein-hypersensitivity': {'critical', 'warning'},
    'active-infection': {'warning'}, 'immunosuppression-chronic-infection': {'info'}, 'pregnancy': {'warning'},
    'breastfeeding': {'warning'}, 'caps-lifelong': {'info'}, 'off-label-indication': {'info'},
    'patient-data-missing': {'warning'},
}

# Concepts without a clinical meaning for the engine (co-medication that must not alert, negatives, text only).
# canakinumab: its RxCUI 853491 is an unverified recollection (verified-codes.md section 3), so
# codes.json matches canakinumab by name; the sample's text carries it.
NOT_IN_KNOWLEDGE = {'interstitial-pneumonia', 'no-tb', 'nausea', 'methotrexate', 'folic-acid',
                    'not-pregnant', 'sinusitis', 'rubella-nonimmune', 'pneumococcal-prophylaxis',
                    'anaphylaxis', 'ecoli-protein', 'canakinumab'}


def check_catalogue():
    seen = {}
    for s in SAMPLES:
        for c in s.expected:
            assert c['indicator'] in CATALOGUE[c['code']], (s.name, c)
            seen.setdefault((c['code'], c['indicator']), s.name)
    missing = sorted(f'{k} {i}' for k, v in CATALOGUE.items() for i in v if (k, i) not in seen)
    assert not missing, f'card codes without a sample: {missing}'


def check_codes():
    """Every coding of a clinical concept must be listed in hooks/knowledge/codes.json."""
    if not os.path.exists(CODES_JSON):
        return [f'{CODES_JSON} not found: codes not checked']
    vs = json.load(open(CODES_JSON))['valueSets']
    exact, prefixes = set(), []
    for v in vs.values():
        exact.update((c['system'], c['code']) for c in v.get('codes', []))
        prefixes.extend((c['system'], c['code']) for c in v.get('prefixes', []))
    problems = []
    for key, concept in CONCEPTS.items():
        if key in NOT_IN_KNOWLEDGE:
            continue
        for c in concept.get('coding', []):
            if (c['system'], c['code']) in exact:
                continue
            if any(c['system'] == s and c['code'].startswith(p) for s, p in prefixes):
                continue
            problems.append(f"concept {key}: {c['system']}|{c['code']} is not in hooks/knowledge/codes.json")
    return problems


def golden_text(s):
    lines = [json.dumps(c, separators=(', ', ': ')) for c in s.expected]
    body = ('[\n    ' + ',\n    '.join(lines) + '\n  ]') if lines else '[]'
    paging = '  "pageSize": %d,\n' % s.page_size if s.page_size else ''
    return ('{\n  "sample": %s,\n  "hook": %s,\n  "now": %s,\n%s  "cards": %s\n}\n'
            % (json.dumps(s.name), json.dumps(s.hook), json.dumps(REF), paging, body))


def card_list(s):
    if not s.expected:
        return '(none)'
    out = []
    for c in s.expected:
        sug = ', '.join('+'.join(a) for a in c['suggestions'])
        out.append(f"`{c['code']}` {c['indicator']}" + (f' [{sug}]' if sug else ''))
    return '<br>'.join(out)


README_HEAD = '''# FHIR R4 sample patients

Test patients for the anakinra CDS Hooks service. Each `NAME.json` is a FHIR R4 **transaction**
Bundle; `expected/NAME.cards.json` holds the cards the service must return for the hook
`order-sign` when the sample's draft orders are signed (for the `pv-*` samples: `patient-view`,
when the chart of a patient on anakinra is opened at the reference time). The clinical rules behind the goldens are
`shared/clinical-policy.md` (version 2); the codes are those of `hooks/knowledge/codes.json`.

## Conventions

- **Reference time** `2026-11-20T09:00:00Z`: every draft order has this `authoredOn`, so ages and
  look-back windows are fixed. Weights are from 2026-11-01 (19 days), neutrophil counts and
  eGFR from 2026-11-10 (10 days) unless the sample is about them.
- **Stable ids**: every entry is `PUT <Type>/<id>` with an id `ak-<sample>-<what>` (e.g.
  `ak-adult-ra-clean-pt`, `ak-adult-ra-clean-anakinra-draft`), unique across all samples, so
  all of them load into one FHIR server (HAPI, medplum) and keep their ids. References are
  `Patient/<id>`. Every resource carries `meta.tag` `urn:anakinra-cds:sample|<sample>`, so a
  sample can be found (`_tag=urn:anakinra-cds:sample|adult-ra-clean`) and removed again.
- **Draft orders** are `MedicationRequest` with `status` `draft` (anakinra: RxNorm 72435, text
  "anakinra 100 MG/0.67 ML Prefilled Syringe [Kineret]"; `reasonCode` on every anakinra draft).
  Existing therapy is `MedicationRequest` with `status` `active`. A draft vaccine is a
  `MedicationRequest` coded in CVX.
- **Turning a sample into a CDS Hooks request**: `context.patientId` = the Patient's id,
  `context.draftOrders` = a Bundle of the sample's `status: draft` MedicationRequests, and the
  prefetch (or FHIR server) supplies the rest: Patient, active MedicationRequests, Conditions,
  Observations, Immunizations, AllergyIntolerances.
- **Goldens**: `{"sample", "hook": "order-sign", "now", ["pageSize",] "cards": [...]}`. `now` is
  the reference time the test passes (`evaluate --now`), for orders without `authoredOn`.
  `pageSize` N (client-paged prefetch): the request is built with `--page-size N`, so every
  searchset prefetch holds only its first N entries and a `next` link to `https://fhir.invalid/`
  that cannot be followed (no `fhirServer`): the key is incomplete (policy section 0). Each card is
  `{"code", "indicator", "suggestions"}` where `code` is the card's `source.topic.code`
  (system `urn:anakinra-cds:card`) and `suggestions` holds one array per suggestion listing its
  action types in order. Cards are sorted by code, then indicator. `[]` = `{"cards": []}`.

Load one sample into a FHIR server:

```sh
curl -X POST -H 'Content-Type: application/fhir+json' --data @fhir-samples/adult-ra-clean.json http://localhost:8080/fhir
```

Validate all samples against the official R4 JSON schema (see `tests/fhir-schema/`):

```sh
cd tests/fhir-schema && npm ci && node validate.js ../../fhir-samples/*.json
```

The JSON files are written by `tools/generate.py` (python3, standard library only); edit the
samples there and re-run it (`--check` reports files that are out of date and codes missing from
`hooks/knowledge/codes.json`).

## Samples

| sample | patient | what it shows | expected cards (order-sign; `pv-*`: patient-view) |
| --- | --- | --- | --- |
'''

README_TAIL = '''
Every card code of the policy's catalogue is expected in at least one sample (both indicators of
`il1-blocker-duplication` and `ecoli-protein-hypersensitivity`).

## Decisions taken where the rules leave room

- **Indication always coded on the order.** Every anakinra draft has a `reasonCode`, so the
  indication never has to be guessed from the problem list. In the samples reason and Condition agree.
- **Very young children are checked first** (policy section 3): `infant-dose-above-label` is a DIRA
  child at 9.2 mg/kg/day: a warning (seed 6-10, above the label 8), not the critical card the DIRA
  band alone would give. Between 1 and 6 mg/kg/day a very young child gets no dose card
  (`infant-caps-clean`, 4.5 mg/kg/day).
- **One-click limit** (section 3): a warning dose card whose suggestion would change the daily dose
  by more than 50 % has no suggestion (`adult-dose-below-range` 50 -> 100 mg,
  `infant-dose-below-range` 10 -> 20 mg). Doses in the other warning samples were chosen away from
  the 50 % boundary (150 -> 100 mg). `adult-renal-dose-combined` is 200 mg daily -> 100 mg every
  other day: the renal regimen counts at its per-administration dose, a 50 % change, which is not
  *more* than 50 %, so the combined update stays on the dose card (as the issue asks).
- **Dose card and dose-frequency together** (`adult-no-frequency`): the dose card carries the one
  update (which also sets once-daily subcutaneous dosing); `dose-frequency` then points to it and
  has no update of its own, as the renal card does in `adult-renal-dose-combined`.
- **Two concurrent lines in CAPS** (`child-concurrent-dose-lines`): two once-daily entries with the
  same sequence are a twice-daily split, which CAPS allows, so no `dose-frequency` card.
- **`tnf-antagonist` suggestions** (`selectionBehavior` at-most-one): with both drafts, delete
  either one (the clinician keeps one drug); an active adalimumab gives only "delete the draft
  anakinra"; in the reverse direction only the draft TNF antagonist can be deleted.
- **`il1-blocker-duplication`** deletes a duplicate draft: with anakinra and canakinumab both
  drafted, either one (critical, at most one); a second anakinra draft (warning,
  `adult-second-anakinra`). A renewal gets no card (`adult-ra-renewal`).
- **canakinumab** has no verified RxNorm code (`reference/verified-codes.md`), so its draft carries
  only its name, which the knowledge matches.
- **Reverse direction** (`reverse-*`): with no anakinra draft only the interaction card fires;
  the patient-level checks (dose, immunisations, neutrophils, ...) do not run.
- **HIV** leads to the single `immunosuppression-chronic-infection` card.
- **"Not pregnant"** (`adult-breastfeeding`, LA26683-5) must not give a `pregnancy` card although
  its text contains "pregnant".
- **`no-birthdate`**: `patient-data-missing` only; no dose, `weight-required` or
  `antibiotic-prophylaxis` card because the age is unknown.
- **`adult-paged-prefetch`**: with one entry per page, adalimumab (page 1 of `medications`) gives its
  card; PCV20 is on page 1 of `immunizations`, Hib is not, so the Hib check (an absence rule) cannot
  run and `data-not-checked` names it, HTTP 200. `observations` (sorted newest first) holds the
  10-day-old ANC on page 1, so the count check runs on what was read and finds it.
- **`adult-html-drug-name`**: the tests also assert that no summary or detail contains `<img` or
  `](javascript:`.
'''


def readme_text():
    rows = [f"| `{s.name}` | {s.title} | {s.shows.replace('|', '/')} | {card_list(s)} |" for s in SAMPLES]
    return README_HEAD + '\n'.join(rows) + '\n' + README_TAIL


def outputs():
    files = {}
    ids = set()
    for s in SAMPLES:
        for e in s.entries:
            url = e['request']['url']
            assert url not in ids, f'duplicate id {url}'
            assert len(url.split('/', 1)[1]) <= 64, url
            ids.add(url)
        files[f'{s.name}.json'] = json.dumps(s.bundle(), indent=2) + '\n'
        files[f'expected/{s.name}.cards.json'] = golden_text(s)
    files['README.md'] = readme_text()
    return files


def main():
    check_catalogue()
    check_only = '--check' in sys.argv[1:]
    problems = check_codes()
    changed = []
    for rel, text in outputs().items():
        path = os.path.join(OUT, rel)
        old = open(path).read() if os.path.exists(path) else None
        if old == text:
            continue
        changed.append(rel)
        if not check_only:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                f.write(text)
    for p in problems:
        print(p)
    verb = 'out of date' if check_only else 'written'
    print(f'{len(SAMPLES)} samples; {len(changed)} file(s) {verb}' + (': ' + ', '.join(changed) if changed else ''))
    if check_only and (changed or problems):
        sys.exit(1)


if __name__ == '__main__':
    main()
