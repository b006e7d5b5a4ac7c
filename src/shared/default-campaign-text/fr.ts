/** The defenders petition in French, translated from en.ts. */
import type { CampaignText } from '../campaign.ts';

export const TEXT_FR: CampaignText = {
  title: 'Rejoignez l’appel mondial pour protéger les défenseur·e·s des droits humains, partout dans le monde',
  intro: [
    'Une personne qui défend les droits humains réclame justice et dignité pour nous toutes et tous. Certaines dénoncent la corruption et demandent que les puissants rendent des comptes devant la justice. D’autres exigent que les services essentiels, comme la santé, l’éducation ou le logement, soient accessibles à toutes et à tous. D’autres encore défendent le droit de chacun et chacune de vivre selon son genre et son orientation sexuelle. Certaines sont des femmes qui défendent le droit de chaque femme à choisir librement sa vie, sans être contrainte au mariage ou à la maternité. D’autres sont des paysannes, des paysans et des communautés qui veulent protéger leurs terres de la pollution et des entreprises qui les saignent à blanc en épuisant des ressources précieuses comme l’eau et les forêts. Ce sont des personnes courageuses – mais ordinaires. Et elles sont attaquées.',
    'Les puissants, comme les gouvernements et les grandes entreprises, cherchent à faire taire les défenseur·e·s des droits humains, en les faisant passer à tort pour des criminels, des terroristes ou des « agents de l’étranger ». Des personnes qui défendent les droits humains sont emprisonnées pour avoir pris la parole. Elles sont menacées, agressées, et même assassinées en nombre effroyable.',
    'Trop, c’est trop. Il est temps d’agir avec tant d’audace que les gouvernements ne pourront pas nous ignorer.',
    'Il y a 20 ans, les gouvernements du monde entier ont signé une déclaration dans laquelle ils promettaient de protéger les défenseur·e·s des droits humains. En décembre, ces gouvernements tiendront une réunion spéciale aux Nations unies pour examiner la situation.',
    'Avec votre aide, nous pouvons montrer que le monde entier suit de près l’issue de cette réunion. Des défenseur·e·s des droits humains remettront toutes vos signatures et exigeront une protection réelle, pas seulement de belles paroles.',
  ],
  call: 'Signez maintenant et demandez aux gouvernements de :',
  demands: [
    'Saluer et protéger les défenseur·e·s des droits humains, en particulier les personnes marginalisées et prises pour cible en raison de leur identité de genre, de leur orientation sexuelle, de leur origine ethnique ou raciale, de leur religion, de leur statut, de leur handicap, de leur âge ou de leur classe sociale.',
    'Cesser d’attaquer, de dénigrer et de stigmatiser celles et ceux qui se battent pour que les droits humains deviennent une réalité pour chaque personne dans le monde.',
  ],
  closing: 'Pour cet appel mondial, nous devons toutes et tous unir nos forces. Ensemble, et avec votre soutien, nos voix peuvent porter plus fort que jamais.',
  optIn: 'Je souhaite être informé·e de cette campagne et des prochaines actions.',
  attestation: 'Moi, {name}, je confirme soutenir cette pétition et avoir tapé mon nom moi-même au lieu de dessiner une signature.',
};
