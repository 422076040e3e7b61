from socket import *

serverPort = 12000
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(('', serverPort))
serverSocket.listen(5)
print('The server is ready to receive', flush=True)

clients = []  # keep every client we talked to
while 1:
    connectionSocket, addr = serverSocket.accept()
    clients.append(connectionSocket)
    sentence = connectionSocket.recv(1024)
    capitalizedSentence = sentence.upper()
    print('Client', len(clients), addr, 'says', capitalizedSentence.decode(errors='replace'), flush=True)
