"""C-GET of one study with Odil offering only uncompressed syntaxes (as Odil does).

Usage: odil_get.py HOST PORT CALLING CALLED STUDY_UID SOP_CLASS
Prints one line per received instance: SOP instance UID and the SHA-256 of its Pixel Data bytes.
"""
import hashlib
import sys

import odil

host, port, calling, called, study, sop_class = sys.argv[1:7]
uncompressed = [odil.registry.ExplicitVRLittleEndian, odil.registry.ImplicitVRLittleEndian]
Role = odil.AssociationParameters.PresentationContext.Role
association = odil.Association()
association.set_peer_host(host)
association.set_peer_port(int(port))
parameters = association.update_parameters()
parameters.set_calling_ae_title(calling)
parameters.set_called_ae_title(called)
parameters.set_presentation_contexts([
    odil.AssociationParameters.PresentationContext(1, odil.registry.StudyRootQueryRetrieveInformationModelGet, uncompressed, Role.SCU),
    odil.AssociationParameters.PresentationContext(3, sop_class, uncompressed, Role.SCP),
])
association.associate()

query = odil.DataSet()
query.add("QueryRetrieveLevel", ["STUDY"])
query.add("StudyInstanceUID", [study])


def store(data_set):
    pixels = bytes(data_set.as_binary(odil.registry.PixelData)[0])
    print(data_set.as_string("SOPInstanceUID")[0].decode(), hashlib.sha256(pixels).hexdigest(), flush=True)


scu = odil.GetSCU(association)
scu.set_affected_sop_class(odil.registry.StudyRootQueryRetrieveInformationModelGet)
scu.get(query, store)
association.release()
