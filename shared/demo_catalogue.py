"""The demo municipality's recruitment needs: every job title its companies order in the demo,
with the ESCO occupation a consultant means by it.

Common data for both demos, so neither imports the other (services never import each other):
crm's demo orders these titles (services/crm/demo/danish.py, `Industry.jobs`; a test keeps the two
in step) and describes each order's work with `duties`, and matching's demo makes job seekers for
these occupations, so an order opened in the
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
    duties: str  # what the work is, as the demo orders describe it (Danish)

    @property
    def uri(self) -> str:
        return ESCO_OCCUPATION + self.uuid


DEMO_JOBS: tuple[DemoJob, ...] = (
    DemoJob("Landbrugsmedhjælper", "landbrugsassistent - afgrøder", "c9191f7f-28b5-4df8-991d-804c53009b83",
            "Du skal hjælpe med markarbejdet: så, gøde og høste afgrøder og betjene landbrugsmaskiner."),
    DemoJob("Traktorfører", "landbrugsmaskinfører", "1b8c75a9-407b-4554-a7d6-df391672c6b1",
            "Du skal køre traktor og betjene landbrugsmaskiner i marken, sprede gødning og høste afgrøder."),
    DemoJob("Staldmedhjælper", "staldmedarbejder", "beedd3c0-d3e2-4efe-8f39-381df669ee35",
            "Du skal fodre dyrene, muge ud, holde stalden ren og passe på dyrenes velfærd."),
    DemoJob("Fodermester", "staldmedarbejder", "beedd3c0-d3e2-4efe-8f39-381df669ee35",
            "Du skal stå for fodring af kvæget, overvåge dyrenes sundhed og holde stalden ren."),
    DemoJob("Slagteriarbejder", "industrislagter", "34ec79d0-85fb-445a-a5f2-df51b70c6375",
            "Du skal udskære kød og slagte dyr efter hygiejnereglerne og bruge knive sikkert."),
    DemoJob("Pakkeriarbejder", "pakkeriassistent", "f5cb9901-86fc-48d0-9cde-667fbe8cef3a",
            "Du skal pakke varer, mærke kasser og gøre klar til forsendelse."),
    DemoJob("Produktionsmedarbejder", "påfyldningsoperatør inden for fødevareindustrien", "f6f1a9c5-a956-4a10-98ad-b83525e843fb",
            "Du skal betjene produktionsmaskiner i fødevareproduktionen og følge hygiejneprocedurer og HACCP."),
    DemoJob("Bager", "bager", "1aadb308-432a-4d01-b54b-b4f7f76dd419",
            "Du skal bage brød og kager, forberede dej og styre ovnene."),
    DemoJob("Bagerlærling", "bager", "1aadb308-432a-4d01-b54b-b4f7f76dd419",
            "Du kommer i lære som bager: bage brød og kager, forberede dej og holde bageriet rent."),
    DemoJob("Butiksassistent i bageri", "bagerekspedient", "2e9c9404-0d86-453c-9001-3a0cd1d1323b",
            "Du skal betjene kunderne i butikken, sælge brød og kager og betjene kasseapparat."),
    DemoJob("Smed", "plade- og konstruktionssmed", "1a1ea837-0103-4230-8756-533a77c5f9f4",
            "Du skal svejse og samle stålkonstruktioner, læse tekniske tegninger og skære metalplader."),
    DemoJob("Svejser", "svejser", "7aedaa07-3884-4c5b-88f9-80997b2aa54b",
            "Du skal svejse stålkonstruktioner med MIG/MAG-svejsning, betjene svejseudstyr og læse tekniske tegninger."),
    DemoJob("Klejnsmed", "tyndpladearbejder", "572c9810-e1ee-4f7a-a71f-820f17c0c25b",
            "Du skal bearbejde metalplader, svejse og montere gelændere, porte og trapper efter tegning."),
    DemoJob("Maskinarbejder", "industritekniker inden for tandhjulsproduktion", "02d4f153-8e43-444d-8bd4-8171d49eab12",
            "Du skal betjene drejebænk og fræser, måle emner og vedligeholde maskinerne."),
    DemoJob("CNC-operatør", "CNC-operatør", "5c082067-ea18-4ccb-8c43-e70b18ad8120",
            "Du skal betjene CNC-maskiner, programmere og indstille maskinen og kontrollere emner med måleudstyr."),
    DemoJob("Montør", "montør af industrimaskiner", "be0e6189-46a5-4b90-8622-2d1988efba1a",
            "Du skal samle og montere maskiner efter tegning og teste dem før levering."),
    DemoJob("Murer", "murer", "05f321f8-055b-407d-bf19-e0ddabda56b7",
            "Du skal mure, pudse og lægge fliser på nybyggeri og renovering."),
    DemoJob("Bygningsarbejder", "anlægsarbejder", "fb7e2f4f-1545-42f1-972e-94082e49c6dc",
            "Du skal grave, støbe beton, bære materialer og rydde op på byggepladsen."),
    DemoJob("Murerlærling", "murer", "05f321f8-055b-407d-bf19-e0ddabda56b7",
            "Du kommer i lære som murer: mure, pudse og blande mørtel på byggepladsen."),
    DemoJob("Elektriker", "elektriker", "4910419f-b4af-4f59-b544-9dbebc8a74f0",
            "Du skal installere elektriske anlæg og ledninger, fejlfinde og overholde sikkerhedsreglerne."),
    DemoJob("Elektrikerlærling", "elektriker", "4910419f-b4af-4f59-b544-9dbebc8a74f0",
            "Du kommer i lære som elektriker: installere ledninger og stikkontakter og lære at fejlfinde."),
    DemoJob("VVS-montør", "vvs-installatør", "ed3cf43d-c2c1-4c46-82fc-1375e27e0290",
            "Du skal installere rør, vand og varme, montere sanitet og reparere vandinstallationer."),
    DemoJob("VVS-lærling", "vvs-installatør", "ed3cf43d-c2c1-4c46-82fc-1375e27e0290",
            "Du kommer i lære som vvs-montør: installere rør og sanitet og reparere vandinstallationer."),
    DemoJob("Tømrer", "tømrer", "2a22ff9e-de3b-408d-b312-5034896cc4f4",
            "Du skal bygge i træ: opsætte spær, lægge gulve, montere døre og vinduer."),
    DemoJob("Tømrerlærling", "tømrer", "2a22ff9e-de3b-408d-b312-5034896cc4f4",
            "Du kommer i lære som tømrer: opsætte spær, montere døre og vinduer og arbejde med træ."),
    DemoJob("Snedker", "tømrer", "2a22ff9e-de3b-408d-b312-5034896cc4f4",
            "Du skal bearbejde træ, montere døre, vinduer og køkkener og arbejde med maskiner til træ."),
    DemoJob("Maler", "bygningsmaler", "15620506-fb5d-49cd-87a2-1c9047fb406a",
            "Du skal male facader og indvendige vægge, spartle og forberede overflader."),
    DemoJob("Malerlærling", "bygningsmaler", "15620506-fb5d-49cd-87a2-1c9047fb406a",
            "Du kommer i lære som maler: male, spartle og forberede overflader."),
    DemoJob("Automekaniker", "automekaniker", "4ad4024e-d1d3-4dea-b6d1-2c7948111dce",
            "Du skal reparere og servicere biler, fejlfinde på motorer og udskifte bremser og dæk."),
    DemoJob("Klargører", "bilvaskmedarbejder", "7cb71c5f-c310-481c-b46b-d0044328758c",
            "Du skal vaske og klargøre biler til levering, rengøre kabinen og kontrollere køretøjet."),
    DemoJob("Mekanikerlærling", "automekaniker", "4ad4024e-d1d3-4dea-b6d1-2c7948111dce",
            "Du kommer i lære som automekaniker: servicere biler og reparere motorer og bremser."),
    DemoJob("Butiksmedarbejder", "vareopfylder", "d35f9e79-5778-43b4-8667-0e3ba1fcb19a",
            "Du skal fylde hylder op, tjekke holdbarhed og prismærker og hjælpe kunderne."),
    DemoJob("Kassemedarbejder", "kasseassistent", "2b871272-bd61-4206-bd1a-0b96d7023098",
            "Du skal betjene kasseapparat, tage imod betaling og hjælpe kunderne."),
    DemoJob("Butikselev", "butiksassistent", "0b15375e-dfdd-4047-9efb-096e0aaee7d2",
            "Du bliver butikselev: betjene kunder, betjene kasseapparat, fylde hylder op og organisere produktdisplay."),
    DemoJob("Lagermedarbejder", "lagerarbejder", "bea705fe-06ac-4147-b8e0-6e8ac1208d8f",
            "Du skal modtage varer, plukke og pakke ordrer, køre gaffeltruck og holde styr på lagerbeholdningen."),
    DemoJob("Salgsassistent", "salgsassistent", "9ba74e8a-c40c-4228-9998-eb3c7a5c11df",
            "Du skal betjene og vejlede kunder, betjene kasseapparat og holde butikken pæn."),
    DemoJob("Chauffør C/E", "bagagevognschauffør", "45037d43-a8f5-4f46-b332-b2935bc305f4",
            "Du skal køre lastbil med kørekort C/E, laste og losse gods og overholde køre- og hviletid."),
    DemoJob("Lastbilchauffør", "bagagevognschauffør", "45037d43-a8f5-4f46-b332-b2935bc305f4",
            "Du skal køre lastbil, laste og losse gods og planlægge ruten med GPS."),
    DemoJob("Chaufførmedhjælper", "flyttearbejder", "c84a055d-00fe-4789-a054-f4a62914ff6e",
            "Du skal hjælpe chaufføren med at laste og losse gods, bære og levere varer til kunderne."),
    DemoJob("Truckfører", "gaffeltruckfører", "eeac6251-1974-42f5-91ed-513c6c883755",
            "Du skal køre gaffeltruck, laste og losse lastbiler og stable gods på lageret."),
    DemoJob("Receptionist", "receptionist", "f7b04542-d8c7-42db-8475-e63b507cce82",
            "Du skal tage imod gæster, besvare telefonen, håndtere bookinger og give information."),
    DemoJob("Stuepige", "rengøringspersonale", "731ecac4-06e8-4ec2-a559-101fecbd9183",
            "Du skal gøre værelser rent, rede senge og skifte håndklæder."),
    DemoJob("Tjener", "tjener", "d5db9d5c-2ebf-4a54-a79a-1b7e7ff70471",
            "Du skal servere mad og drikkevarer, dække borde og tage imod bestillinger."),
    DemoJob("Kok", "kok", "90f75f67-495d-49fa-ab57-2f320e251d7e",
            "Du skal tilberede mad, bruge madlavningsmetoder og overholde hygiejnereglerne i køkkenet."),
    DemoJob("Opvasker", "opvasker", "f756fdab-7726-4c48-bfcc-94ff8810fc08",
            "Du skal vaske op, holde køkkenet rent og hjælpe med at forberede råvarer."),
    DemoJob("Køkkenmedhjælper", "køkkenassistent", "e1cf6897-158d-4b48-a39e-2a3a8cac216c",
            "Du skal hjælpe i køkkenet: forberede råvarer, vaske op og holde køkkenet rent."),
    DemoJob("IT-supporter", "IKT-supportmedarbejder", "aaeec9a7-dc57-4485-890c-86b3eef735f9",
            "Du skal hjælpe brugerne med IT-problemer, installere software og fejlfinde på computere."),
    DemoJob("Udvikler", "softwareudvikler", "f2b15a0e-e65a-438a-affb-29b9d50b77d1",
            "Du skal udvikle software, programmere og teste programmer."),
    DemoJob("Bogholder", "bogholder", "c3aae59e-1441-4b3e-bdd1-6da50dc7cf42",
            "Du skal føre regnskab, bogføre bilag og afstemme konti."),
    DemoJob("Kontorelev", "kontormedarbejder", "6c999fc7-c6b7-4ef3-a4b9-af124a1783a2",
            "Du bliver kontorelev: besvare telefonen, arkivere dokumenter og udføre kontorarbejde."),
    DemoJob("Ejendomsservicemedarbejder", "ejendomsservicetekniker", "f4a25243-b06a-42a9-9c69-246853df63ad",
            "Du skal udføre reparationer og vedligeholdelse af bygninger og udendørsarealer."),
    DemoJob("Rengøringsassistent", "rengøringsassistent", "303a1e34-cb16-4054-b323-81e5eec17397",
            "Du skal gøre rent på kontorer og fællesarealer, vaske gulve og tømme affald."),
    DemoJob("Servicemedarbejder", "rengøringsassistent", "303a1e34-cb16-4054-b323-81e5eec17397",
            "Du skal gøre rent og vedligeholde lokalerne, vaske gulve og tømme affald."),
    DemoJob("Anlægsgartner", "anlægsgartner", "e7970c7a-7769-4002-87d3-0a8ea94fdd6f",
            "Du skal anlægge haver, lægge fliser, plante og beskære træer og buske."),
    DemoJob("Gartnermedhjælper", "gartnerimedarbejder", "1a9d99ba-4c08-4864-8f6a-1b0f2b4cf883",
            "Du skal plante, luge og vande og hjælpe med at passe planterne i gartneriet."),
    DemoJob("Lægesekretær", "lægesekretær", "045f05f2-4ff8-46b2-9d08-e12a81657498",
            "Du skal tage imod patienter, booke tider og skrive journaler."),
    DemoJob("Sygeplejerske", "sygeplejerske", "8d3e8aaa-791b-4c75-a465-f3f827028f50",
            "Du skal give sygepleje til patienterne, give medicin og samarbejde med lægerne."),
    DemoJob("Frisør", "frisør", "099c6bb0-22d3-4c5d-8bf5-70910af381ef",
            "Du skal klippe, farve og style hår og rådgive kunderne om frisurer."),
    DemoJob("Frisørelev", "frisør", "099c6bb0-22d3-4c5d-8bf5-70910af381ef",
            "Du bliver frisørelev: klippe og vaske hår og betjene kunderne."),
    DemoJob("Social- og sundhedshjælper", "social- og sundhedshjælper", "1391bdf9-bd61-4fb5-91ca-c29036ab2b60",
            "Du skal hjælpe borgerne med personlig pleje og praktisk hjælp i hjemmet."),
    DemoJob("Social- og sundhedsassistent", "social- og sundhedsassistent", "d38c2107-98f2-47b7-8bb4-f69750d51082",
            "Du skal give pleje og omsorg, give medicin og observere borgernes sundhed."),
    DemoJob("Pædagogmedhjælper", "medarbejder i en børnepasningsordning", "3f74aad8-2d60-4be2-b059-8dba5568d530",
            "Du skal passe børnene, lege og støtte deres udvikling sammen med pædagogerne."),
    DemoJob("Pædagog", "børnehavepædagog", "55d60ead-0343-4008-b9e4-fb4b5a179c83",
            "Du skal planlægge pædagogiske aktiviteter og støtte børnenes udvikling."),
    DemoJob("Serviceleder", "vicevært", "1822bfc2-e735-449f-ba00-ca71eb5c062b",
            "Du skal stå for bygningens drift og vedligeholdelse, små reparationer og tilsyn med udendørsarealerne."),
    DemoJob("Vejarbejder", "vejvedligeholdelsesarbejder", "f272a521-1a38-4d34-a78e-3adeca95b977",
            "Du skal vedligeholde veje, reparere huller i asfalten og sætte skilte op."),
    DemoJob("Gartner", "gartner", "a10eb17a-3c78-4f7a-a1da-8f31146339d3",
            "Du skal passe grønne områder: slå græs, beskære træer og plante blomster."),
    DemoJob("Genbrugspladsmedarbejder", "genbrugsmedarbejder på genbrugsstation", "4ed9ce62-75d4-4b05-80d4-e86528fecdcd",
            "Du skal hjælpe borgerne med at sortere affald og holde genbrugspladsen ren."),
    DemoJob("Portør", "portør", "a30734bb-2f10-4747-a94c-75f5ec3c63a4",
            "Du skal transportere patienter og udstyr rundt på sygehuset."),
    DemoJob("Sygehusserviceassistent", "portør", "a30734bb-2f10-4747-a94c-75f5ec3c63a4",
            "Du skal transportere patienter, rengøre og hjælpe med madservice på sygehuset."),
    DemoJob("Logistikmedarbejder", "lagerarbejder", "bea705fe-06ac-4147-b8e0-6e8ac1208d8f",
            "Du skal modtage og registrere varer, plukke og pakke og holde styr på lagerbeholdningen."),
    DemoJob("Pedel", "vicevært", "1822bfc2-e735-449f-ba00-ca71eb5c062b",
            "Du skal stå for bygningens vedligeholdelse, små reparationer og tilsyn med skolens udendørsarealer."),
    DemoJob("Kantinemedarbejder", "køkkenassistent", "e1cf6897-158d-4b48-a39e-2a3a8cac216c",
            "Du skal tilberede frokost, vaske op og holde kantinen ren."),
    DemoJob("Bane- og anlægsmedarbejder", "gartner", "a10eb17a-3c78-4f7a-a1da-8f31146339d3",
            "Du skal slå græs, kridte baner og vedligeholde klubbens grønne områder."),
    DemoJob("Cafeteriamedarbejder", "køkkenassistent", "e1cf6897-158d-4b48-a39e-2a3a8cac216c",
            "Du skal lave enkel mad, sælge i cafeteriet og holde køkkenet rent."),
    DemoJob("Butiksmedhjælper", "vareopfylder", "d35f9e79-5778-43b4-8667-0e3ba1fcb19a",
            "Du skal fylde hylder op, sortere varer og hjælpe kunderne i butikken."),
    DemoJob("Pedelmedhjælper", "vicevært", "1822bfc2-e735-449f-ba00-ca71eb5c062b",
            "Du skal hjælpe med små reparationer, vedligeholdelse og oprydning af bygning og udendørsarealer."),
)


def job_for(title: str) -> DemoJob | None:
    """The demo job an order title names, scheme prefix ("Løntilskud: ") or not."""
    return _BY_TITLE.get(title.rsplit(": ", 1)[-1].strip().lower())


_BY_TITLE = {job.title.lower(): job for job in DEMO_JOBS}


def occupations() -> dict[str, list[str]]:
    """Each ESCO occupation the demo orders ask for (by URI), with the titles that mean it, in order."""
    out: dict[str, list[str]] = {}
    for job in DEMO_JOBS:
        out.setdefault(job.uri, []).append(job.title)
    return out
