"""The demo municipality's recruitment needs: every job title its companies order in the demo,
with the ESCO occupation a consultant means by it.

Common data for both demos, so neither imports the other (services never import each other):
crm's demo orders these titles (services/crm/demo/danish.py, `Industry.jobs`; a test keeps the two
in step), and matching's demo makes job seekers for these occupations, so an order opened in the
demo has people who fit it, people who nearly do, and people who are ruled out by the scheme.

The occupation is the one a consultant would file the title under, not necessarily the one the
title normaliser picks first: an apprentice title (Murerlærling) means the trade (murer), and a
title the normaliser misreads (Servicemedarbejder at a cleaning company) means what the company
does. The URI is the stable key; the label is there to be read (a test checks it against ESCO).
"""

from __future__ import annotations

from dataclasses import dataclass

ESCO_OCCUPATION = "http://data.europa.eu/esco/occupation/"


@dataclass(frozen=True)
class DemoJob:
    title: str  # as the demo's orders name it
    occupation: str  # the ESCO occupation's Danish preferred label
    uuid: str  # the ESCO occupation's id

    @property
    def uri(self) -> str:
        return ESCO_OCCUPATION + self.uuid


DEMO_JOBS: tuple[DemoJob, ...] = (
    DemoJob("Landbrugsmedhjælper", "landbrugsassistent - afgrøder", "c9191f7f-28b5-4df8-991d-804c53009b83"),
    DemoJob("Traktorfører", "landbrugsmaskinfører", "1b8c75a9-407b-4554-a7d6-df391672c6b1"),
    DemoJob("Staldmedhjælper", "staldmedarbejder", "beedd3c0-d3e2-4efe-8f39-381df669ee35"),
    DemoJob("Fodermester", "staldmedarbejder", "beedd3c0-d3e2-4efe-8f39-381df669ee35"),
    DemoJob("Slagteriarbejder", "industrislagter", "34ec79d0-85fb-445a-a5f2-df51b70c6375"),
    DemoJob("Pakkeriarbejder", "pakkeriassistent", "f5cb9901-86fc-48d0-9cde-667fbe8cef3a"),
    DemoJob("Produktionsmedarbejder", "påfyldningsoperatør inden for fødevareindustrien", "f6f1a9c5-a956-4a10-98ad-b83525e843fb"),
    DemoJob("Bager", "bager", "1aadb308-432a-4d01-b54b-b4f7f76dd419"),
    DemoJob("Bagerlærling", "bager", "1aadb308-432a-4d01-b54b-b4f7f76dd419"),
    DemoJob("Butiksassistent i bageri", "bagerekspedient", "2e9c9404-0d86-453c-9001-3a0cd1d1323b"),
    DemoJob("Smed", "plade- og konstruktionssmed", "1a1ea837-0103-4230-8756-533a77c5f9f4"),
    DemoJob("Svejser", "svejser", "7aedaa07-3884-4c5b-88f9-80997b2aa54b"),
    DemoJob("Klejnsmed", "tyndpladearbejder", "572c9810-e1ee-4f7a-a71f-820f17c0c25b"),
    DemoJob("Maskinarbejder", "industritekniker inden for tandhjulsproduktion", "02d4f153-8e43-444d-8bd4-8171d49eab12"),
    DemoJob("CNC-operatør", "CNC-operatør", "5c082067-ea18-4ccb-8c43-e70b18ad8120"),
    DemoJob("Montør", "montør af industrimaskiner", "be0e6189-46a5-4b90-8622-2d1988efba1a"),
    DemoJob("Murer", "murer", "05f321f8-055b-407d-bf19-e0ddabda56b7"),
    DemoJob("Bygningsarbejder", "anlægsarbejder", "fb7e2f4f-1545-42f1-972e-94082e49c6dc"),
    DemoJob("Murerlærling", "murer", "05f321f8-055b-407d-bf19-e0ddabda56b7"),
    DemoJob("Elektriker", "elektriker", "4910419f-b4af-4f59-b544-9dbebc8a74f0"),
    DemoJob("Elektrikerlærling", "elektriker", "4910419f-b4af-4f59-b544-9dbebc8a74f0"),
    DemoJob("VVS-montør", "vvs-installatør", "ed3cf43d-c2c1-4c46-82fc-1375e27e0290"),
    DemoJob("VVS-lærling", "vvs-installatør", "ed3cf43d-c2c1-4c46-82fc-1375e27e0290"),
    DemoJob("Tømrer", "tømrer", "2a22ff9e-de3b-408d-b312-5034896cc4f4"),
    DemoJob("Tømrerlærling", "tømrer", "2a22ff9e-de3b-408d-b312-5034896cc4f4"),
    DemoJob("Snedker", "tømrer", "2a22ff9e-de3b-408d-b312-5034896cc4f4"),
    DemoJob("Maler", "bygningsmaler", "15620506-fb5d-49cd-87a2-1c9047fb406a"),
    DemoJob("Malerlærling", "bygningsmaler", "15620506-fb5d-49cd-87a2-1c9047fb406a"),
    DemoJob("Automekaniker", "automekaniker", "4ad4024e-d1d3-4dea-b6d1-2c7948111dce"),
    DemoJob("Klargører", "bilvaskmedarbejder", "7cb71c5f-c310-481c-b46b-d0044328758c"),
    DemoJob("Mekanikerlærling", "automekaniker", "4ad4024e-d1d3-4dea-b6d1-2c7948111dce"),
    DemoJob("Butiksmedarbejder", "vareopfylder", "d35f9e79-5778-43b4-8667-0e3ba1fcb19a"),
    DemoJob("Kassemedarbejder", "kasseassistent", "2b871272-bd61-4206-bd1a-0b96d7023098"),
    DemoJob("Butikselev", "butiksassistent", "0b15375e-dfdd-4047-9efb-096e0aaee7d2"),
    DemoJob("Lagermedarbejder", "lagerarbejder", "bea705fe-06ac-4147-b8e0-6e8ac1208d8f"),
    DemoJob("Salgsassistent", "salgsassistent", "9ba74e8a-c40c-4228-9998-eb3c7a5c11df"),
    DemoJob("Chauffør C/E", "bagagevognschauffør", "45037d43-a8f5-4f46-b332-b2935bc305f4"),
    DemoJob("Lastbilchauffør", "bagagevognschauffør", "45037d43-a8f5-4f46-b332-b2935bc305f4"),
    DemoJob("Chaufførmedhjælper", "flyttearbejder", "c84a055d-00fe-4789-a054-f4a62914ff6e"),
    DemoJob("Truckfører", "gaffeltruckfører", "eeac6251-1974-42f5-91ed-513c6c883755"),
    DemoJob("Receptionist", "receptionist", "f7b04542-d8c7-42db-8475-e63b507cce82"),
    DemoJob("Stuepige", "rengøringspersonale", "731ecac4-06e8-4ec2-a559-101fecbd9183"),
    DemoJob("Tjener", "tjener", "d5db9d5c-2ebf-4a54-a79a-1b7e7ff70471"),
    DemoJob("Kok", "kok", "90f75f67-495d-49fa-ab57-2f320e251d7e"),
    DemoJob("Opvasker", "opvasker", "f756fdab-7726-4c48-bfcc-94ff8810fc08"),
    DemoJob("Køkkenmedhjælper", "køkkenassistent", "e1cf6897-158d-4b48-a39e-2a3a8cac216c"),
    DemoJob("IT-supporter", "IKT-supportmedarbejder", "aaeec9a7-dc57-4485-890c-86b3eef735f9"),
    DemoJob("Udvikler", "softwareudvikler", "f2b15a0e-e65a-438a-affb-29b9d50b77d1"),
    DemoJob("Bogholder", "bogholder", "c3aae59e-1441-4b3e-bdd1-6da50dc7cf42"),
    DemoJob("Kontorelev", "kontormedarbejder", "6c999fc7-c6b7-4ef3-a4b9-af124a1783a2"),
    DemoJob("Ejendomsservicemedarbejder", "ejendomsservicetekniker", "f4a25243-b06a-42a9-9c69-246853df63ad"),
    DemoJob("Rengøringsassistent", "rengøringsassistent", "303a1e34-cb16-4054-b323-81e5eec17397"),
    DemoJob("Servicemedarbejder", "rengøringsassistent", "303a1e34-cb16-4054-b323-81e5eec17397"),
    DemoJob("Anlægsgartner", "anlægsgartner", "e7970c7a-7769-4002-87d3-0a8ea94fdd6f"),
    DemoJob("Gartnermedhjælper", "gartnerimedarbejder", "1a9d99ba-4c08-4864-8f6a-1b0f2b4cf883"),
    DemoJob("Lægesekretær", "lægesekretær", "045f05f2-4ff8-46b2-9d08-e12a81657498"),
    DemoJob("Sygeplejerske", "sygeplejerske", "8d3e8aaa-791b-4c75-a465-f3f827028f50"),
    DemoJob("Frisør", "frisør", "099c6bb0-22d3-4c5d-8bf5-70910af381ef"),
    DemoJob("Frisørelev", "frisør", "099c6bb0-22d3-4c5d-8bf5-70910af381ef"),
    DemoJob("Social- og sundhedshjælper", "social- og sundhedshjælper", "1391bdf9-bd61-4fb5-91ca-c29036ab2b60"),
    DemoJob("Social- og sundhedsassistent", "social- og sundhedsassistent", "d38c2107-98f2-47b7-8bb4-f69750d51082"),
    DemoJob("Pædagogmedhjælper", "medarbejder i en børnepasningsordning", "3f74aad8-2d60-4be2-b059-8dba5568d530"),
    DemoJob("Pædagog", "børnehavepædagog", "55d60ead-0343-4008-b9e4-fb4b5a179c83"),
    DemoJob("Serviceleder", "vicevært", "1822bfc2-e735-449f-ba00-ca71eb5c062b"),
    DemoJob("Vejarbejder", "vejvedligeholdelsesarbejder", "f272a521-1a38-4d34-a78e-3adeca95b977"),
    DemoJob("Gartner", "gartner", "a10eb17a-3c78-4f7a-a1da-8f31146339d3"),
    DemoJob("Genbrugspladsmedarbejder", "genbrugsmedarbejder på genbrugsstation", "4ed9ce62-75d4-4b05-80d4-e86528fecdcd"),
    DemoJob("Portør", "portør", "a30734bb-2f10-4747-a94c-75f5ec3c63a4"),
    DemoJob("Sygehusserviceassistent", "portør", "a30734bb-2f10-4747-a94c-75f5ec3c63a4"),
    DemoJob("Logistikmedarbejder", "lagerarbejder", "bea705fe-06ac-4147-b8e0-6e8ac1208d8f"),
    DemoJob("Pedel", "vicevært", "1822bfc2-e735-449f-ba00-ca71eb5c062b"),
    DemoJob("Kantinemedarbejder", "køkkenassistent", "e1cf6897-158d-4b48-a39e-2a3a8cac216c"),
    DemoJob("Bane- og anlægsmedarbejder", "gartner", "a10eb17a-3c78-4f7a-a1da-8f31146339d3"),
    DemoJob("Cafeteriamedarbejder", "køkkenassistent", "e1cf6897-158d-4b48-a39e-2a3a8cac216c"),
    DemoJob("Butiksmedhjælper", "vareopfylder", "d35f9e79-5778-43b4-8667-0e3ba1fcb19a"),
    DemoJob("Pedelmedhjælper", "vicevært", "1822bfc2-e735-449f-ba00-ca71eb5c062b"),
)


def job_for(title: str) -> DemoJob | None:
    """The demo job an order title names, scheme prefix ("Løntilskud: ") or not."""
    bare = title.rsplit(": ", 1)[-1].strip().lower()
    return next((j for j in DEMO_JOBS if j.title.lower() == bare), None)


def occupations() -> dict[str, list[str]]:
    """Each ESCO occupation the demo orders ask for (by URI), with the titles that mean it, in order."""
    out: dict[str, list[str]] = {}
    for job in DEMO_JOBS:
        out.setdefault(job.uri, []).append(job.title)
    return out
