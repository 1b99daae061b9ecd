"""FHIR SDC: the questionnaire as a FHIR Questionnaire, completed consultations as
QuestionnaireResponses and Observations, and a posted QuestionnaireResponse evaluated like the form.

All resources are built and validated with `fhir.resources`, from its R4B (FHIR 4.3) models: the
package ships no 4.0.1 models, and R4B is the R4 series. Everything comes from the one
declaration in decision/questionnaire.py.
"""
