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
    'canakinumab': {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "853491", "display": "canakinumab"}], "text": "canakinumab 150 MG/ML Injection"},
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
    out['text'] = c['text']
    return out

ROUTE = {
    'sc': {'coding': [{'system': SCT, 'code': '34206005', 'display': 'Subcutaneous route'}], 'text': 'subcutaneous'},
    'iv': {'coding': [{'system': SCT, 'code': '47625008', 'display': 'Intravenous route'}], 'text': 'intravenous'},
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
    def __init__(self, name, title, shows, expected):
        self.name, self.title, self.shows, self.expected = name, title, shows, expected
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

    def allergy(self, key, date, reaction=None):
        res = {'resourceType': 'AllergyIntolerance',
               'clinicalStatus': {'coding': [{'system': 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', 'code': 'active'}]},
               'verificationStatus': {'coding': [{'system': 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', 'code': 'confirmed'}]},
               'type': 'allergy', 'category': ['medication'], 'criticality': 'high',
               'code': cc(key), 'patient': self.subj(), 'recordedDate': date}
        if reaction:
            res['reaction'] = [{'manifestation': [cc(reaction)], 'severity': 'severe'}]
        return self.add(res, 'allergy')

    def medreq(self, med_key, status, dose, unit, freq, route, authored, reason=None, kind='mr', note=None):
        ucode = {'mg': 'mg', 'mL': 'mL'}[unit]
        di = {'sequence': 1,
              'text': f"{dose:g} {unit} {ROUTE[route]['text']} {FREQ_TEXT[freq]}",
              'timing': timing(freq), 'route': ROUTE[route],
              'doseAndRate': [{'doseQuantity': {'value': dose, 'unit': unit, 'system': UCUM, 'code': ucode}}]}
        res = {'resourceType': 'MedicationRequest', 'status': status, 'intent': 'order',
               'medicationCodeableConcept': cc(med_key), 'subject': self.subj(), 'authoredOn': authored}
        if reason:
            res['reasonCode'] = [cc(reason)]
        if note:
            res['note'] = [{'text': note}]
        res['dosageInstruction'] = [di]
        return self.add(res, kind)

    def draft_anakinra(self, dose, freq='qd', route='sc', reason='ra'):
        return self.medreq('anakinra', 'draft', dose, 'mg', freq, route, REF, reason, 'anakinra-draft')

    def active_anakinra(self, reason='ra'):
        return self.medreq('anakinra', 'active', 100, 'mg', 'qd', 'sc', '2026-05-12T10:00:00Z', reason, 'anakinra-active')

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
def sample(name, title, shows, cards):
    s = Sample(name, title, shows, sorted(cards, key=lambda c: (c['code'], c['indicator'])))
    SAMPLES.append(s)
    return s

# ---------------------------------------------------------------- the samples

# 1
s = sample('adult-ra-clean', 'F, 45 y, RA, 68 kg',
           'Clean adult RA start: 100 mg SC once daily, weight, ANC 3.4, eGFR 88, PCV20 + Hib; co-therapy methotrexate + folic acid (non-TNF DMARD, must not alert)',
           [])
s.patient('Alice', 'Clean', 'female', '1981-03-14')
s.adult_ra(kg=68)
s.medreq('methotrexate', 'active', 15, 'mg', 'weekly', 'po', '2025-02-10T10:00:00Z', 'ra', 'mtx')
s.medreq('folic-acid', 'active', 1, 'mg', 'qd', 'po', '2025-02-10T10:00:00Z', None, 'folate')
s.draft_anakinra(100)

# 2
s = sample('adult-ra-no-weight', 'M, 60 y, RA, last weight 233 days old',
           'Adult RA without a recent weight: only the 100 mg/day check applies, so no weight-required card (policy 3)',
           [])
s.patient('Bruno', 'Noweight', 'male', '1966-07-02')
s.adult_ra(kg=None)
s.weight(82, '2026-04-01T10:00:00Z')
s.draft_anakinra(100)

# 3
s = sample('child-caps-clean', 'M, 8 y, NOMID (CAPS), 25 kg',
           'Child band 1-3 mg/kg/day: 50 mg once daily = 2 mg/kg/day; only the CAPS lifelong-treatment info',
           [card('caps-lifelong', 'info')])
s.patient('Carl', 'Nomid', 'male', '2018-06-15')
s.child_caps(25, '2018-06-15')
s.draft_anakinra(50, reason='caps')

# 4
s = sample('infant-caps-clean', 'F, 18 months, NOMID (CAPS), 11 kg, amoxicillin prophylaxis',
           'Very young child band 6-10 mg/kg/day: 100 mg = 9.1 mg/kg/day (between the label max 8 and the seed max 10: no dose card, policy 6); prophylaxis present',
           [card('caps-lifelong', 'info')])
s.patient('Daisy', 'Infant', 'female', '2025-05-20')
s.child_caps(11, '2025-05-20', infant=True)
s.amoxicillin()
s.draft_anakinra(100, reason='caps')

# 5
s = sample('infant-dose-below-range', 'M, 20 months, NOMID (CAPS), 12 kg, amoxicillin prophylaxis',
           'Very young child band: 40 mg = 3.3 mg/kg/day is below 6 mg/kg/day (in the 2-18 y band it would be above range)',
           [card('caps-lifelong', 'info'), card('dose-below-range', 'warning', [['update']])])
s.patient('Ethan', 'Toddler', 'male', '2025-03-10')
s.child_caps(12, '2025-03-10', infant=True)
s.amoxicillin()
s.draft_anakinra(40, reason='caps')

# 6
s = sample('child-dose-above-maximum', 'F, 10 y, NOMID (CAPS), 30 kg',
           'Child: 350 mg once daily = 11.7 mg/kg/day, above the 10 mg/kg/day maximum',
           [card('caps-lifelong', 'info'), card('dose-above-maximum', 'critical', [['update']])])
s.patient('Fiona', 'Overmax', 'female', '2016-04-08')
s.child_caps(30, '2016-04-08')
s.draft_anakinra(350, reason='caps')

# 7
s = sample('child-dose-above-range', 'M, 12 y, DIRA, 40 kg',
           'Child: 200 mg once daily = 5 mg/kg/day, above 1-3 but within the 10 mg/kg/day maximum; DIRA (not CAPS) so no caps-lifelong',
           [card('dose-above-range', 'warning', [['update']])])
s.patient('George', 'Dira', 'male', '2014-05-02')
s.condition('dira', '2014-06-01')
s.weight(40)
s.anc(3.9)
s.immunization('pcv13', '2015-06-20T09:00:00Z', 4)
s.immunization('hib', '2015-06-20T09:05:00Z', 4)
s.draft_anakinra(200, reason='dira')

# 8
s = sample('adult-dose-below-range', 'M, 50 y, RA, 80 kg',
           'Adult RA: 50 mg once daily is below the usual 100 mg/day',
           [card('dose-below-range', 'warning', [['update']])])
s.patient('Hugo', 'Lowdose', 'male', '1976-09-30')
s.adult_ra(kg=80)
s.draft_anakinra(50)

# 9
s = sample('adult-dose-above-range', 'F, 38 y, RA, 70 kg',
           'Adult RA: 200 mg once daily (2.9 mg/kg/day) is above 100 mg/day but within the 8 mg/kg/day maximum',
           [card('dose-above-range', 'warning', [['update']])])
s.patient('Iris', 'Highdose', 'female', '1988-01-19')
s.adult_ra(kg=70)
s.draft_anakinra(200)

# 10
s = sample('adult-dose-above-maximum', 'F, 66 y, RA, 45 kg',
           'Adult RA: 400 mg once daily = 8.9 mg/kg/day, above the label maximum 8 mg/kg/day',
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
s = sample('adult-still-weight-based', "F, 24 y, adult-onset Still's disease, 60 kg",
           "Weight-based adult indication: 60 mg twice daily = 120 mg/day = 2 mg/kg/day is inside 1-3 mg/kg/day and BID is allowed; Still's is off-label in the US",
           [card('off-label-indication', 'info')])
s.patient('Lena', 'Still', 'female', '2002-02-27')
s.condition('aosd', '2026-09-01')
s.weight(60)
s.anc(6.2)
s.egfr(110)
s.immunization('pcv20', '2026-10-01T10:00:00Z')
s.immunization('hib', '2026-10-01T10:05:00Z')
s.draft_anakinra(60, freq='bid', reason='aosd')

# 13
s = sample('child-no-weight', 'M, 6 y, NOMID (CAPS), last weight 153 days old',
           'Child without a weight in the last 90 days: weight-required, and no dose card',
           [card('caps-lifelong', 'info'), card('weight-required', 'warning')])
s.patient('Leo', 'Noweight', 'male', '2020-02-11')
s.child_caps(20, '2020-02-11', weight_date='2026-06-20T10:00:00Z')
s.draft_anakinra(40, reason='caps')

# 14
s = sample('adult-renal-impairment', 'M, 70 y, RA, 72 kg, eGFR 22',
           'eGFR 22 mL/min/1.73 m2 (46 days old): renal-impairment, suggestion every other day',
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
           'No pneumococcal and no Hib immunization: two cards, each suggesting a draft vaccine order',
           [card('immunisation-pneumococcal', 'warning', [['create']]), card('immunisation-hib', 'warning', [['create']])])
s.patient('Olga', 'Unimmunised', 'female', '1985-06-30')
s.adult_ra(kg=64, immunised=False)
s.draft_anakinra(100)

# 17
s = sample('infant-no-prophylaxis', 'M, 14 months, NOMID (CAPS), 10 kg, no antibiotic prophylaxis',
           'Very young child: 80 mg = 8 mg/kg/day is in range, but no active antibacterial prophylaxis order',
           [card('antibiotic-prophylaxis', 'warning'), card('caps-lifelong', 'info')])
s.patient('Pablo', 'Infant', 'male', '2025-09-20')
s.child_caps(10, '2025-09-20', infant=True)
s.draft_anakinra(80, reason='caps')

# 18
s = sample('adult-low-neutrophils', 'F, 52 y, RA, ANC 1.2 x10^9/L 10 days ago',
           'Recent ANC below 1.5: neutrophil-count without a suggestion (a count is on file)',
           [card('neutrophil-count', 'warning')])
s.patient('Queenie', 'Neutro', 'female', '1974-02-12')
s.adult_ra(kg=66, anc=1.2)
s.draft_anakinra(100)

# 19
s = sample('adult-no-recent-neutrophils', 'M, 47 y, RA, last ANC 60 days old',
           'No ANC in the 30 days before the order: neutrophil-count with a create (blood count) suggestion',
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
           'Both orders are drafts: one tnf-antagonist card with two delete suggestions (anakinra, etanercept)',
           [card('tnf-antagonist', 'critical', [['delete'], ['delete']])])
s.patient('Tom', 'Twodrafts', 'male', '1990-10-10')
s.adult_ra(kg=78)
s.draft_anakinra(100)
s.medreq('etanercept', 'draft', 50, 'mg', 'weekly', 'sc', REF, 'ra', 'tnf-draft')

# 22
s = sample('adult-il1-duplication', 'F, 33 y, RA, draft anakinra + draft canakinumab',
           'Two IL-1 blockers drafted: il1-blocker-duplication, delete the duplicate (canakinumab) draft',
           [card('il1-blocker-duplication', 'critical', [['delete']])])
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
           'Contraindication: active confirmed allergy to E. coli-derived protein: critical, delete the draft anakinra',
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
           'Order reason is hidradenitis suppurativa (skin disease, not RA/CAPS/DIRA): off-label-indication info',
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
           'Patient without birthDate: patient-data-missing; no dose card and no weight-required card',
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


# ---------------------------------------------------------------- output

# Every card code of the policy's catalogue (clinical-policy.md section 4) with its indicator.
CATALOGUE = {
    'dose-above-maximum': 'critical', 'dose-above-range': 'warning', 'dose-below-range': 'warning',
    'dose-frequency': 'warning', 'weight-required': 'warning', 'renal-impairment': 'warning',
    'hepatic-impairment': 'info', 'immunisation-pneumococcal': 'warning', 'immunisation-hib': 'warning',
    'antibiotic-prophylaxis': 'warning', 'neutrophil-count': 'warning', 'tnf-antagonist': 'critical',
    'il1-blocker-duplication': 'critical', 'live-vaccine': 'warning', 'ecoli-protein-hypersensitivity': 'critical',
    'active-infection': 'warning', 'immunosuppression-chronic-infection': 'info', 'pregnancy': 'warning',
    'breastfeeding': 'warning', 'caps-lifelong': 'info', 'off-label-indication': 'info',
    'patient-data-missing': 'warning',
}

# Concepts without a clinical meaning for the engine (co-medication that must not alert, negatives, text only).
# canakinumab: its RxCUI 853491 is an unverified recollection (verified-codes.md section 3), so
# codes.json matches canakinumab by name; the sample's text carries it.
NOT_IN_KNOWLEDGE = {'methotrexate', 'folic-acid', 'not-pregnant', 'sinusitis', 'rubella-nonimmune',
                    'pneumococcal-prophylaxis', 'anaphylaxis', 'ecoli-protein', 'canakinumab'}


def check_catalogue():
    seen = {}
    for s in SAMPLES:
        for c in s.expected:
            assert CATALOGUE[c['code']] == c['indicator'], (s.name, c)
            seen.setdefault(c['code'], s.name)
    missing = sorted(set(CATALOGUE) - set(seen))
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
    return '{\n  "sample": %s,\n  "hook": "order-sign",\n  "cards": %s\n}\n' % (json.dumps(s.name), body)


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
`order-sign` when the sample's draft orders are signed. The clinical rules behind the goldens are
`shared/clinical-policy.md`; the codes are those of `hooks/knowledge/codes.json`.

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
- **Goldens**: `{"sample", "hook": "order-sign", "cards": [...]}`; each card is
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

| sample | patient | what it shows | expected cards (order-sign) |
| --- | --- | --- | --- |
'''

README_TAIL = '''
Every card code of the policy's catalogue is expected in at least one sample.

## Decisions taken where the rules leave room

- **Indication always coded on the order.** Every anakinra draft has a `reasonCode`, so the
  indication never has to be guessed from the problem list (where pneumonia or HIV would not be
  an "indication" anyway). Weight-based dosing and `caps-lifelong` still also look at active
  Conditions; in the samples reason and Condition agree.
- **Children with CAPS also get `caps-lifelong`.** The child dose samples use CAPS (NOMID) as
  the realistic paediatric indication, so the info card `caps-lifelong` accompanies their main
  finding; `child-dose-above-range` uses DIRA instead (ICD-10-CM M04.8 *with* the DIRA text,
  as codes.json requires) and so has no `caps-lifelong`.
- **Adult RA without a weight is clean** (`adult-ra-no-weight`): `weight-required` is only for
  children and weight-based adult indications (policy section 3).
- **A very young child at 8-10 mg/kg/day gets no dose card** (`infant-caps-clean`, 9.1 mg/kg/day;
  policy section 6).
- **`tnf-antagonist` suggestions** are only for drafts: an active adalimumab gives one suggestion
  (delete the draft anakinra); two drafts give two (`adult-tnf-both-drafts`); in the reverse
  direction only the draft TNF antagonist can be deleted.
- **`il1-blocker-duplication`** deletes the duplicate, i.e. the other IL-1 blocker draft
  (canakinumab), not the anakinra order: one suggestion.
- **Reverse direction** (`reverse-*`): with no anakinra draft only the interaction card fires;
  the patient-level checks (dose, immunisations, neutrophils, ...) do not run.
- **HIV** matches both the immunosuppression wording (its display contains "immunodeficiency")
  and the chronic-infection set; both lead to the single `immunosuppression-chronic-infection` card.
- **"Not pregnant"** (`adult-breastfeeding`, LA26683-5) must not give a `pregnancy` card although
  its text contains "pregnant".
- **`no-birthdate`**: `patient-data-missing` only; no dose, `weight-required` or
  `antibiotic-prophylaxis` card because the age is unknown.
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
