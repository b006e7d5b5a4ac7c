/** The defenders petition in Spanish, translated from en.ts. */
import type { CampaignText } from '../campaign.ts';

export const TEXT_ES: CampaignText = {
  title: 'Únete al llamamiento mundial para proteger a los defensores y defensoras de los derechos humanos, estén donde estén',
  intro: [
    'Un defensor o una defensora de los derechos humanos es alguien que exige justicia y dignidad para todas y todos. Hay quien denuncia la corrupción y pide que los poderosos respondan ante la justicia. Hay quien exige que servicios básicos como la salud, la educación o la vivienda estén al alcance de todo el mundo. Hay quien defiende el derecho de cualquier persona a vivir de acuerdo con su propio género y su orientación sexual. Hay mujeres que defienden el derecho de todas las mujeres a elegir libremente su vida, sin que nadie las obligue a casarse o a ser madres. Hay campesinas, campesinos y comunidades que quieren proteger su tierra de la contaminación y de las empresas que la desangran, agotando recursos tan valiosos como el agua y los bosques. Son personas valientes, pero corrientes. Y están siendo atacadas.',
    'Quienes ostentan el poder, como los gobiernos y las grandes empresas, intentan silenciar a los defensores y defensoras de los derechos humanos tachándolos injustamente de delincuentes, terroristas o «agentes extranjeros». Los encarcelan por alzar la voz. Los amenazan, los agreden e incluso los asesinan en cifras escalofriantes.',
    'Ya basta. Es hora de hacer algo tan audaz que los gobiernos no puedan ignorarnos.',
    'Hace 20 años, gobiernos de todo el mundo firmaron una declaración en la que prometían proteger a los defensores y defensoras de los derechos humanos. En diciembre, esos gobiernos celebrarán una reunión especial en la ONU para analizar la situación.',
    'Con tu ayuda, podemos demostrar que el mundo entero está pendiente del resultado de esa reunión. Defensores y defensoras de los derechos humanos entregarán todas las firmas y exigirán una protección real, no solo buenas palabras.',
  ],
  call: 'Firma ahora y pide a los gobiernos que:',
  demands: [
    'Reconozcan y protejan a los defensores y defensoras de los derechos humanos, especialmente a quienes sufren marginación y ataques por su identidad de género, orientación sexual, etnia y raza, religión, condición, discapacidad, edad o clase social.',
    'Dejen de atacar, difamar y estigmatizar a quienes luchan para que los derechos humanos sean una realidad para todas las personas del mundo.',
  ],
  closing: 'Para este llamamiento mundial, todas y todos tenemos que unir fuerzas. Juntos, y con tu apoyo, nuestras voces pueden sonar más fuerte que nunca.',
  optIn: 'Quiero recibir información sobre esta campaña y futuras acciones.',
  attestation: 'Yo, {name}, confirmo que apoyo esta petición y que he escrito mi nombre personalmente en lugar de dibujar una firma.',
};
